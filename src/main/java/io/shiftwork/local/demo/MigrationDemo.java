package io.shiftwork.local.demo;

import java.time.Duration;
import java.util.List;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.shiftwork.datashare.AirlineSample;
import io.shiftwork.migration.MigrationConfig;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;

/**
 * The local run's migration source (with {@link DemoBootstrap}, {@code shiftwork.demo.enabled=true}): the
 * provisioned cluster {@code shiftwork.migration.source-cluster} in moto holding the airline star schema (sql/airline)
 * with the generated sample, so {@code POST /pipelines/migration/runs {}} has something to migrate. The target
 * namespace is left to the flow ({@code create-target=true} in %dev). Idempotent: the sample is loaded only into an
 * empty schema.
 */
@ApplicationScoped
public class MigrationDemo {

    private static final Logger LOG = Logger.getLogger(MigrationDemo.class);

    private final DemoBootstrap demo;
    private final MigrationConfig config;
    private final RedshiftDataClient data;

    public MigrationDemo(DemoBootstrap demo, MigrationConfig config, RedshiftDataClient data) {
        this.demo = demo;
        this.config = config;
        this.data = data;
    }

    void onStart(@Observes @Priority(22) StartupEvent ev,
            @ConfigProperty(name = "shiftwork.demo.enabled", defaultValue = "false") boolean enabled,
            @ConfigProperty(name = "shiftwork.sql.dir", defaultValue = "classpath:sql") String sqlDir) {
        if (enabled && config.sourceCluster().isPresent()) {
            install(sqlDir, config.sourceCluster().get());
        }
    }

    /** Creates the cluster if missing and loads the airline sample into it unless it holds it already. */
    public void install(String sqlDir, String cluster) {
        long started = System.nanoTime();
        String user = config.dbUser().orElse("awsuser");
        String database = config.database();
        demo.createCluster(cluster, user);
        List<String> files = DemoBootstrap.sqlFiles(sqlDir, "airline");
        demo.install(files.stream().filter(f -> !f.contains("refresh")).toList(),
                b -> b.clusterIdentifier(cluster).dbUser(user).database(database));
        if (count(cluster, "SELECT count(*) FROM airline.dim_date") == 0) {
            AirlineSample.load(AirlineSample.SEED, sql -> run(cluster, sql));
            demo.install(files.stream().filter(f -> f.contains("refresh")).toList(),
                    b -> b.clusterIdentifier(cluster).dbUser(user).database(database));
        }
        LOG.infof("demo: migration source cluster %s with the airline sample (%d bookings) in %d ms", cluster,
                count(cluster, "SELECT count(*) FROM airline.bookings"), Duration.ofNanos(System.nanoTime() - started).toMillis());
    }

    private String run(String cluster, String sql) {
        String id = data.executeStatement(b -> b.clusterIdentifier(cluster).dbUser(config.dbUser().orElse("awsuser"))
                .database(config.database()).sql(sql)).id();
        return DemoStatements.awaitFinished(data, id, cluster);
    }

    private long count(String cluster, String sql) {
        String id = run(cluster, sql);
        return data.getStatementResult(b -> b.id(id)).records().get(0).get(0).longValue();
    }
}
