package io.shiftwork.local.demo;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.shiftwork.local.LocalSecrets;
import io.shiftwork.queries.QueriesConfig;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;

/**
 * The local run's read-only user for routed reads ({@code POST /queries}): {@value #USER} on each of
 * {@code shiftwork.queries.consumers}, with a password generated at this start, stored in moto's Secrets Manager
 * under the name {@code shiftwork.queries.secret-arn} ends with. Its grant on the shared database
 * ({@code GRANT USAGE ON DATABASE airline TO shiftwork_reader}) is the datashare flow's, which creates that database
 * ({@code %dev.shiftwork.queries.db-user} names the user; README "Routed reads").
 */
@ApplicationScoped
public class ReaderDemo {

    private static final Logger LOG = Logger.getLogger(ReaderDemo.class);
    static final String USER = "shiftwork_reader";

    private final QueriesConfig config;
    private final RedshiftDataClient data;

    public ReaderDemo(QueriesConfig config, RedshiftDataClient data) {
        this.config = config;
        this.data = data;
    }

    void onStart(@Observes @Priority(22) StartupEvent ev,
            @ConfigProperty(name = "shiftwork.demo.enabled", defaultValue = "false") boolean enabled,
            @ConfigProperty(name = "shiftwork.aws.endpoint-override") Optional<URI> moto,
            @ConfigProperty(name = "shiftwork.aws.region", defaultValue = "us-east-1") String region) {
        Optional<String> arn = config.secretArn();
        if (!enabled || moto.isEmpty() || arn.isEmpty() || !arn.get().contains(":secret:")) {
            return;
        }
        try {
            install(moto.get(), region, arn.get());
        } catch (RuntimeException e) {
            // the rest of the local run does not depend on it: /queries then answers the failure
            LOG.warnf("demo: no read-only user for routed reads: %s", e.getMessage());
        }
    }

    private void install(URI moto, String region, String secretArn) {
        Optional<String> arn = Optional.of(secretArn);
        String password = LocalSecrets.password();
        String name = arn.get().substring(arn.get().indexOf(":secret:") + ":secret:".length());
        new LocalSecrets(moto, region).putUser(name, USER, password);
        for (String consumer : config.consumers().orElse(List.of())) {
            if (consumer.startsWith("cluster:")) {
                continue;
            }
            String exists = run(consumer, "CREATE USER " + USER + " PASSWORD '" + password + "'");
            if (exists != null) {
                // the local Redshift's users are one PostgreSQL's: the second consumer finds it
                run(consumer, "ALTER USER " + USER + " PASSWORD '" + password + "'");
            }
            // PUBLIC may create tables in schema public by default: a reader may not
            run(consumer, "REVOKE CREATE ON SCHEMA public FROM PUBLIC");
        }
        LOG.infof("demo: routed reads run as %s (secret %s) on %s", USER, name, config.consumers().orElse(List.of()));
    }

    /** Runs the statement; null when it finished, else its error. */
    private String run(String workgroup, String sql) {
        String id = data.executeStatement(b -> b.workgroupName(workgroup).database(config.database()).sql(sql)).id();
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (System.nanoTime() < deadline) {
            var d = data.describeStatement(b -> b.id(id));
            switch (d.statusAsString()) {
                case "FINISHED" -> {
                    return null;
                }
                case "FAILED", "ABORTED" -> {
                    return d.error();
                }
                default -> {
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }
        return "did not finish within a minute";
    }
}
