package io.shiftwork.local;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.StartupEvent;

/** Prints where the service and the local emulators listen, when the dev-mode emulators are on. */
@ApplicationScoped
public class LocalBanner {

    void onStart(@Observes StartupEvent ev, @ConfigProperty(name = "shiftwork.local.banner") Optional<String> banner,
            @ConfigProperty(name = "quarkus.http.host", defaultValue = "localhost") String host,
            @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080") int port) {
        banner.ifPresent(b -> System.out.println("\nShiftwork: http://" + ("0.0.0.0".equals(host) ? "localhost" : host)
                + ":" + port + "  (pipelines: /pipelines, health: /q/health, API: /q/swagger-ui)\n" + b + "\n"));
    }
}
