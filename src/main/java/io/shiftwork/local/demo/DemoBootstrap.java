package io.shiftwork.local.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.shiftwork.pauseresume.PauseResumeConfig;
import io.shiftwork.pauseresume.PauseResumeManager;
import io.shiftwork.pipelines.PipelineRunner;
import io.shiftwork.statements.SqlFiles;
import software.amazon.awssdk.core.CompressionConfiguration;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;
import software.amazon.awssdk.services.cloudwatch.model.StandardUnit;
import software.amazon.awssdk.services.redshift.RedshiftClient;
import software.amazon.awssdk.services.redshift.model.ClusterAlreadyExistsException;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.redshiftdata.model.ExecuteStatementRequest;
import software.amazon.awssdk.services.redshiftserverless.RedshiftServerlessClient;
import software.amazon.awssdk.services.redshiftserverless.model.ConflictException;

/**
 * The local run's demo (dev profile, {@code shiftwork.demo.enabled=true}): gives every pipeline something to
 * work on, through the same AWS APIs and configuration as production — the provisioned cluster the statements
 * target ({@code shiftwork.statements.cluster-identifier}) created in moto with {@code backfill-days} of
 * office-hours CPU and connection history in CloudWatch ({@link OfficeHoursLoad}), a Serverless namespace and
 * workgroup in the local Redshift, and the sample stored procedure (sql/stored-procedures) installed on both.
 * The snapshot schedules, the managed cluster and the drill are plain {@code %dev} configuration. Idempotent:
 * what exists is left alone. Runs after {@link io.shiftwork.pipelines.Bootstrap}, before any request; the CPU
 * history is put in the background, then a {@code pause-resume} run plans on all of it (the daily timer's first
 * plan, 30 s after start-up, may come before the history is complete: the next plan fetches the rest).
 * Automatic pauses of the cluster are held for {@code shiftwork.demo.hold-pauses} (1 h) after start-up.
 */
@ApplicationScoped
public class DemoBootstrap {

    private static final Logger LOG = Logger.getLogger(DemoBootstrap.class);
    /**
     * PutMetricData takes up to 1,000 datums per call, but moto parses a query-protocol list in quadratic time
     * (999 datums: 16 s; 20: 60 ms), so the demo sends small batches.
     */
    static final int BATCH = 20;

    private final RedshiftClient redshift;
    private final RedshiftServerlessClient serverless;
    private final RedshiftDataClient data;
    private final CloudWatchClient cloudWatch;
    private final SqlFiles sqlFiles;
    private final PipelineRunner runner;
    private final PauseResumeManager pauseResume;
    private final PauseResumeConfig pauseResumeConfig;

    public DemoBootstrap(RedshiftClient redshift, RedshiftServerlessClient serverless, RedshiftDataClient data,
            CloudWatchClient cloudWatch, SqlFiles sqlFiles, PipelineRunner runner, PauseResumeManager pauseResume,
            PauseResumeConfig pauseResumeConfig) {
        this.pauseResume = pauseResume;
        this.pauseResumeConfig = pauseResumeConfig;
        this.runner = runner;
        this.redshift = redshift;
        this.serverless = serverless;
        this.data = data;
        this.cloudWatch = cloudWatch;
        this.sqlFiles = sqlFiles;
    }

    void onStart(@Observes @Priority(20) StartupEvent ev,
            @ConfigProperty(name = "shiftwork.demo.enabled", defaultValue = "false") boolean enabled,
            @ConfigProperty(name = "shiftwork.statements.cluster-identifier") Optional<String> cluster,
            @ConfigProperty(name = "shiftwork.statements.db-user", defaultValue = "awsuser") String dbUser,
            @ConfigProperty(name = "shiftwork.statements.database", defaultValue = "dev") String database,
            @ConfigProperty(name = "shiftwork.demo.namespace") Optional<String> namespace,
            @ConfigProperty(name = "shiftwork.demo.workgroup") Optional<String> workgroup,
            @ConfigProperty(name = "shiftwork.pause-resume.backfill-days", defaultValue = "28") int days,
            @ConfigProperty(name = "shiftwork.sql.dir", defaultValue = "classpath:sql") String sqlDir,
            @ConfigProperty(name = "shiftwork.demo.hold-pauses", defaultValue = "PT1H") Duration holdPauses) {
        if (!enabled) {
            return;
        }
        long started = System.nanoTime();
        List<String> sql = sqlFiles(sqlDir, "stored-procedures");
        cluster.ifPresent(id -> {
            createCluster(id, dbUser);
            install(sql, b -> b.clusterIdentifier(id).dbUser(dbUser).database(database));
            LOG.infof("demo: cluster %s in moto, sql/stored-procedures installed on it (%d files)", id, sql.size());
            if (pauseResumeConfig.clusters().containsKey(id) && pauseResumeConfig.clusters().get(id).enabled() && !holdPauses.isZero()) {
                // outside office hours the plan pauses the cluster at once, and the README's statements would find
                // it paused: a hold (the operator's POST /clusters/{id}/hold) keeps it available for the first hour
                pauseResume.hold(id, Instant.now().plus(holdPauses), io.shiftwork.pipelines.StartedBy.service(io.shiftwork.pipelines.Trigger.SCHEDULE));
            }
        });
        if (namespace.isPresent() && workgroup.isPresent()) {
            createServerless(namespace.get(), workgroup.get(), database);
            install(sql, b -> b.workgroupName(workgroup.get()).database(database));
            LOG.infof("demo: serverless namespace %s, workgroup %s, sql/stored-procedures installed", namespace.get(),
                    workgroup.get());
        }
        LOG.infof("demo: ready in %d ms", Duration.ofNanos(System.nanoTime() - started).toMillis());
        // moto takes about a minute for 28 days of datapoints: the service starts meanwhile, and a plan made before
        // the history is complete fetches the rest next time (the history is put oldest first)
        cluster.ifPresent(id -> {
            Thread history = new Thread(() -> seedHistoryThenPlan(id, days), "shiftwork-demo-history");
            history.setDaemon(true);
            history.start();
        });
    }

    private void seedHistoryThenPlan(String cluster, int days) {
        try {
            long started = System.nanoTime();
            int points = putHistory(cluster, Instant.now(), days);
            LOG.infof("demo: %d days of CPUUtilization and DatabaseConnections of %s in CloudWatch (%d datapoints each) "
                    + "in %d s; planning its pauses", days, cluster, points, Duration.ofNanos(System.nanoTime() - started).toSeconds());
            if (points > 0) {
                runner.start("pause-resume", Map.of(), "schedule"); // as the daily timer starts it
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "demo: the CPU history of %s could not be put into CloudWatch", cluster);
        }
    }

    void createCluster(String id, String masterUser) {
        try {
            // a moto cluster's password guards nothing, but it is never written down: a fresh one per start
            String password = "Dm0-" + UUID.randomUUID();
            redshift.createCluster(b -> b.clusterIdentifier(id).nodeType("ra3.xlplus").numberOfNodes(2)
                    .masterUsername(masterUser).masterUserPassword(password).dbName("dev")
                    .tags(t -> t.key("createdBy").value("Shiftwork local demo")));
        } catch (ClusterAlreadyExistsException exists) {
            LOG.infof("demo: cluster %s exists already", id);
        }
        // a new cluster is "creating" for a while in AWS (and in an emulator that says so): statements wait for it;
        // a restart against emulators that outlived the last run may find the demo cluster paused by pause/resume:
        // the demo installs its SQL on it, so it resumes it (as an operator's POST /clusters/{id}/resume would)
        await(Duration.ofMinutes(5), "cluster " + id + " available", () -> {
            String status = redshift.describeClusters(b -> b.clusterIdentifier(id)).clusters().get(0).clusterStatus();
            if ("paused".equals(status)) {
                LOG.infof("demo: cluster %s is paused (a pause from an earlier run): resuming it", id);
                redshift.resumeCluster(b -> b.clusterIdentifier(id));
            }
            return "available".equals(status);
        });
    }

    /** Puts the cluster's history unless CloudWatch already has its last hour; returns the datapoints per metric. */
    int putHistory(String cluster, Instant end, int days) {
        Dimension dimension = Dimension.builder().name("ClusterIdentifier").value(cluster).build();
        boolean present = !cloudWatch.getMetricStatistics(b -> b.namespace("AWS/Redshift").metricName("CPUUtilization")
                .dimensions(dimension).startTime(end.minus(Duration.ofHours(1))).endTime(end).period(300)
                .statistics(software.amazon.awssdk.services.cloudwatch.model.Statistic.AVERAGE)).datapoints().isEmpty();
        if (present) {
            LOG.infof("demo: %s has CPU history already", cluster);
            return 0;
        }
        List<OfficeHoursLoad.Point> points = OfficeHoursLoad.history(end, days, OfficeHoursLoad.SEED);
        List<MetricDatum> batch = new ArrayList<>(BATCH);
        for (OfficeHoursLoad.Point p : points) {
            batch.add(MetricDatum.builder().metricName("CPUUtilization").dimensions(dimension).timestamp(p.at())
                    .value(p.cpu()).unit(StandardUnit.PERCENT).build());
            batch.add(MetricDatum.builder().metricName("DatabaseConnections").dimensions(dimension).timestamp(p.at())
                    .value(p.connections()).unit(StandardUnit.COUNT).build());
            if (batch.size() >= BATCH) {
                put(batch);
            }
        }
        put(batch);
        return points.size();
    }

    private void put(List<MetricDatum> batch) {
        if (batch.isEmpty()) {
            return;
        }
        List<MetricDatum> send = List.copyOf(batch);
        batch.clear();
        // moto cannot read a gzip-compressed PutMetricData (the SDK compresses bodies above 10 KB)
        cloudWatch.putMetricData(b -> b.namespace("AWS/Redshift").metricData(send).overrideConfiguration(o -> o
                .compressionConfiguration(CompressionConfiguration.builder().requestCompressionEnabled(false).build())));
    }

    void createServerless(String namespace, String workgroup, String database) {
        try {
            serverless.createNamespace(b -> b.namespaceName(namespace).dbName(database)
                    .tags(t -> t.key("createdBy").value("Shiftwork local demo")));
        } catch (ConflictException exists) {
            LOG.infof("demo: namespace %s exists already", namespace);
        }
        try {
            serverless.createWorkgroup(b -> b.workgroupName(workgroup).namespaceName(namespace));
        } catch (ConflictException exists) {
            LOG.infof("demo: workgroup %s exists already", workgroup);
        }
        await(Duration.ofMinutes(2), "workgroup " + workgroup + " available",
                () -> "AVAILABLE".equals(serverless.getWorkgroup(b -> b.workgroupName(workgroup)).workgroup().statusAsString()));
    }

    /** Runs each file through the Data API, one after the other (the files are idempotent: IF NOT EXISTS, OR REPLACE). */
    void install(List<String> files, Consumer<ExecuteStatementRequest.Builder> target) {
        for (String file : files) {
            String sql = sqlFiles.load(file);
            String id = data.executeStatement(b -> {
                target.accept(b);
                b.sql(sql);
            }).id();
            String[] status = new String[1];
            await(Duration.ofMinutes(1), file + " finished", () -> {
                status[0] = data.describeStatement(b -> b.id(id)).statusAsString();
                return List.of("FINISHED", "FAILED", "ABORTED").contains(status[0]);
            });
            if (!"FINISHED".equals(status[0])) {
                throw new IllegalStateException("demo: " + file + " " + status[0] + ": "
                        + data.describeStatement(b -> b.id(id)).error());
            }
        }
    }

    /** The .sql files of a folder of {@code shiftwork.sql.dir}, in name order (the local run reads file:sql). */
    static List<String> sqlFiles(String sqlDir, String folder) {
        if (!sqlDir.startsWith("file:")) {
            throw new IllegalStateException("the demo installs " + folder + " from shiftwork.sql.dir=file:<dir>, got " + sqlDir);
        }
        try (Stream<Path> files = Files.list(Path.of(sqlDir.substring("file:".length()), folder))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql")).sorted()
                    .map(n -> folder + "/" + n).toList();
        } catch (IOException e) {
            throw new IllegalStateException("demo: cannot list " + folder + " under " + sqlDir + ": " + e.getMessage(), e);
        }
    }

    private static void await(Duration timeout, String what, java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!done.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("demo: " + what + " not within " + timeout.toSeconds() + " s");
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("demo: interrupted waiting for " + what, e);
        }
    }
}
