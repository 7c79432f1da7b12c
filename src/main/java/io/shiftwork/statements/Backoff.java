package io.shiftwork.statements;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Capped exponential backoff. Pure. */
public final class Backoff {

    private Backoff() {
    }

    /** initial × 2^attempt, capped. */
    public static Duration capped(Duration initial, Duration max, int attempt) {
        long ms = initial.toMillis() << Math.min(attempt, 30);
        return Duration.ofMillis(ms <= 0 ? max.toMillis() : Math.min(ms, max.toMillis()));
    }

    /** "Full jitter": uniform in [0, capped(initial, max, attempt)]. */
    public static Duration jittered(Duration initial, Duration max, int attempt) {
        long cap = capped(initial, max, attempt).toMillis();
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(cap + 1));
    }
}
