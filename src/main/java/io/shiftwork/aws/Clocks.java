package io.shiftwork.aws;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The clock every time-based decision reads (UTC), so tests can move time instead of waiting for it. */
@ApplicationScoped
public class Clocks {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}
