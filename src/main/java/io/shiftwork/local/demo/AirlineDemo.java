package io.shiftwork.local.demo;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.shiftwork.datashare.AirlineSample;
import io.shiftwork.datashare.DatashareConfig;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;

/**
 * The local run's data-sharing demo (with {@link DemoBootstrap}, {@code shiftwork.demo.enabled=true}): a Serverless
 * namespace and workgroup for {@code shiftwork.datashare.producer} holding the airline star schema (sql/airline)
 * with the generated sample ({@link AirlineSample}), and one for each of {@code shiftwork.datashare.consumers}
 * (each namespace named as its workgroup), so {@code POST /pipelines/datashare/runs {}} has something to share.
 * Idempotent: what exists is left alone, the sample is loaded only into an empty schema.
 */
@ApplicationScoped
public class AirlineDemo {

    private static final Logger LOG = Logger.getLogger(AirlineDemo.class);

    private final DemoBootstrap demo;
    private final DatashareConfig config;
    private final RedshiftDataClient data;

    public AirlineDemo(DemoBootstrap demo, DatashareConfig config, RedshiftDataClient data) {
        this.demo = demo;
        this.config = config;
        this.data = data;
    }

    void onStart(@Observes @Priority(21) StartupEvent ev,
            @ConfigProperty(name = "shiftwork.demo.enabled", defaultValue = "false") boolean enabled,
            @ConfigProperty(name = "shiftwork.sql.dir", defaultValue = "classpath:sql") String sqlDir) {
        if (enabled && config.producer().isPresent()) {
            install(sqlDir);
        }
    }

    /** Creates what is missing: the producer with the airline sample, the consumers. */
    public void install(String sqlDir) {
        Optional<String> producer = config.producer();
        if (producer.isEmpty()) {
            throw new IllegalStateException("demo: shiftwork.datashare.producer names no workgroup");
        }
        long started = System.nanoTime();
        String workgroup = producer.get();
        String database = config.database();
        demo.createServerless(workgroup, workgroup, database);
        List<String> ddl = DemoBootstrap.sqlFiles(sqlDir, "airline").stream().filter(f -> !f.contains("refresh")).toList();
        demo.install(ddl, b -> b.workgroupName(workgroup).database(database));
        if (count(workgroup, database, "SELECT count(*) FROM airline.dim_date") == 0) {
            for (String insert : AirlineSample.inserts(AirlineSample.SEED)) {
                run(workgroup, database, insert);
            }
            demo.install(DemoBootstrap.sqlFiles(sqlDir, "airline").stream().filter(f -> f.contains("refresh")).toList(),
                    b -> b.workgroupName(workgroup).database(database));
        }
        for (String consumer : config.consumers().orElse(List.of())) {
            demo.createServerless(consumer, consumer, database);
        }
        LOG.infof("demo: datashare producer %s with the airline sample (%d bookings), consumers %s, in %d ms", workgroup,
                count(workgroup, database, "SELECT count(*) FROM airline.bookings"), config.consumers().orElse(List.of()),
                Duration.ofNanos(System.nanoTime() - started).toMillis());
    }

    private String run(String workgroup, String database, String sql) {
        String id = data.executeStatement(b -> b.workgroupName(workgroup).database(database).sql(sql)).id();
        return DemoStatements.awaitFinished(data, id, workgroup);
    }

    private long count(String workgroup, String database, String sql) {
        String id = run(workgroup, database, sql);
        return data.getStatementResult(b -> b.id(id)).records().get(0).get(0).longValue();
    }
}
