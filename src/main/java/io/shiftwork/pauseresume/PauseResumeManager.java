package io.shiftwork.pauseresume;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import org.apache.camel.Exchange;
import org.jboss.logging.Logger;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.shiftwork.pipelines.PipelineRunner;
import io.shiftwork.pipelines.RunSteps;
import io.shiftwork.pipelines.StartedBy;
import io.shiftwork.pipelines.Trigger;
import software.amazon.awssdk.services.redshift.RedshiftClient;
import software.amazon.awssdk.services.redshift.model.Cluster;
import software.amazon.awssdk.services.redshift.model.InvalidClusterStateException;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;

/**
 * Smart pause/resume for many clusters: plans from each cluster's forecast (daily and on demand), then an
 * executor pauses and resumes at the planned UTC times — idempotently, after guards, retrying a cluster in a
 * transitional state at the next tick. Every action is a run.
 */
@ApplicationScoped
@io.quarkus.runtime.Startup // a bad forecaster setting stops start-up, naming its key
@Named("pauseResume")
@RegisterForReflection
public class PauseResumeManager {

    private static final Logger LOG = Logger.getLogger(PauseResumeManager.class);

    private final PauseResumeConfig config;
    private final CpuHistory history;
    private final PlanStore plans;
    private final RedshiftClient redshift;
    private final RedshiftDataClient data;
    private final PipelineRunner runner;
    private final RunSteps steps;
    private final Clock clock;
    private final Forecaster forecaster;

    public PauseResumeManager(PauseResumeConfig config, CpuHistory history, PlanStore plans, RedshiftClient redshift,
            RedshiftDataClient data, PipelineRunner runner, RunSteps steps, Clock clock,
            software.amazon.awssdk.services.forecast.ForecastClient amazonForecast,
            software.amazon.awssdk.services.forecastquery.ForecastqueryClient amazonForecastQuery,
            software.amazon.awssdk.services.s3.S3Client s3) {
        this.config = config;
        this.history = history;
        this.plans = plans;
        this.redshift = redshift;
        this.data = data;
        this.runner = runner;
        this.steps = steps;
        this.clock = clock;
        this.forecaster = switch (config.forecaster()) {
            case "built-in" -> null; // tuned per cluster at planning time: its threshold and windows differ
            case "amazon-forecast" -> {
                PauseResumeConfig.AmazonForecast af = config.amazonForecast();
                AmazonForecaster.missing(af.roleArn()).ifPresent(m -> {
                    throw new IllegalArgumentException(m);
                });
                yield new AmazonForecaster(amazonForecast, amazonForecastQuery, s3, new AmazonForecaster.Settings(
                        af.roleArn().get(), config.historyBucket(), config.quantile(), af.pollInitial(), af.pollMax(),
                        af.timeout()), d -> Thread.sleep(d.toMillis()));
            }
            default -> throw new IllegalArgumentException("shiftwork.pause-resume.forecaster must be built-in or "
                    + "amazon-forecast, got '" + config.forecaster() + "'");
        };
    }

    List<String> clusters() {
        return config.clusters().entrySet().stream().filter(e -> e.getValue().enabled()).map(Map.Entry::getKey).sorted().toList();
    }

    double threshold(String cluster) {
        return Optional.ofNullable(config.clusters().get(cluster)).flatMap(PauseResumeConfig.ClusterConfig::threshold)
                .orElse(config.threshold());
    }

    Duration minPause(String cluster) {
        PauseResumeConfig.ClusterConfig c = config.clusters().get(cluster);
        return c == null ? config.minPause() : c.minPause().orElse(config.minPause());
    }

    /** The timer's daily tick. */
    public void dailyPlan() {
        runner.start("pause-resume", Map.of(), "schedule");
    }

    /** Recomputes every cluster's plan (pipeline pause-resume), one step per cluster. */
    public void planAll(Exchange exchange) {
        String runId = exchange.getIn().getHeader(PipelineRunner.RUN_ID, String.class);
        List<String> failed = new ArrayList<>();
        for (String cluster : clusters()) {
            String step = "plan-" + cluster;
            steps.begin(runId, step);
            try {
                ClusterPlan plan = plan(cluster);
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("windows", plan.windows().stream().map(w -> Map.of("pauseAt", w.pauseAt().toString(),
                        "resumeAt", w.resumeAt().toString(), "open", w.open())).toList());
                out.put("threshold", plan.threshold());
                steps.succeed(runId, step, out);
            } catch (RuntimeException e) {
                steps.fail(runId, step, e.getClass().getSimpleName() + ": " + e.getMessage());
                failed.add(cluster);
            }
        }
        if (!failed.isEmpty()) {
            throw new IllegalStateException("planning failed for " + String.join(", ", failed));
        }
    }

    ClusterPlan plan(String cluster) {
        Instant now = clock.instant();
        List<Sample> samples = history.update(cluster);
        Duration minPause = minPause(cluster);
        PauseResumeConfig.ClusterConfig c = config.clusters().get(cluster);
        Duration lead = c == null ? config.resumeLead() : c.resumeLead().orElse(config.resumeLead());
        Forecaster model = forecaster != null ? forecaster : new TunedForecaster(threshold(cluster), minPause, lead,
                config.quantile(), config.maxBusyWhilePaused(), config.validationDays());
        List<ForecastPoint> forecast = model.forecast(cluster, samples, now, Duration.ofDays(1));
        if (model instanceof TunedForecaster tuned && tuned.lastChoice() != null) {
            LOG.infof("%s: forecast with %s (replayed over %d days: idle capture %.1f%%, busy-while-paused %.2f%%)", cluster,
                    tuned.lastChoice().setting(), tuned.lastChoice().validationDays(),
                    tuned.lastChoice().validation().idleCapture() * 100, tuned.lastChoice().validation().busyWhilePaused() * 100);
        }
        List<ClusterPlan.PlannedWindow> windows = PausePlanner.plan(forecast, threshold(cluster), minPause, lead).stream()
                .map(w -> new ClusterPlan.PlannedWindow(w.pauseAt(), w.resumeAt(), w.open(), "PLANNED", null)).toList();
        Instant hold = plans.get(cluster).map(ClusterPlan::holdUntil).orElse(null);
        ClusterPlan plan = new ClusterPlan(cluster, now, threshold(cluster), windows, forecast, hold);
        plans.put(plan);
        return plan;
    }

    /** The executor's tick: pauses and resumes what is due now. */
    public void execute() {
        Instant now = clock.instant();
        for (String cluster : clusters()) {
            try {
                executeFor(cluster, now);
            } catch (RuntimeException e) {
                LOG.warnf("pause/resume of %s failed this tick: %s", cluster, e.getMessage());
            }
        }
    }

    private void executeFor(String cluster, Instant now) {
        Optional<ClusterPlan> found = plans.get(cluster);
        if (found.isEmpty()) {
            return;
        }
        ClusterPlan plan = found.get();
        boolean held = plan.holdUntil() != null && now.isBefore(plan.holdUntil());
        for (int i = 0; i < plan.windows().size(); i++) {
            ClusterPlan.PlannedWindow w = plan.windows().get(i);
            boolean inside = !now.isBefore(w.pauseAt()) && now.isBefore(w.resumeAt());
            if (inside && (w.state().equals("PLANNED") || w.state().equals("DEFERRED"))) {
                if (held) {
                    plans.put(plan.withWindow(i, w.with("SKIPPED", "held until " + plan.holdUntil())));
                    record("cluster-pause", cluster, "skipped: held until " + plan.holdUntil());
                    return;
                }
                Optional<String> guard = Guards.check(now(cluster, plan.threshold()), plan.threshold(), config.maxConnections());
                if (guard.isPresent()) {
                    // a failed guard defers the pause to the next tick while at least minPause of the window is left
                    boolean enoughLeft = w.open() || !Duration.between(now, w.resumeAt()).minus(Forecaster.STEP)
                            .minus(minPause(cluster)).isNegative();
                    if (enoughLeft && w.state().equals("PLANNED")) {
                        plans.put(plan.withWindow(i, w.with("DEFERRED", guard.get())));
                        record("cluster-pause", cluster, "deferred: " + guard.get() + "; retried each tick while at least "
                                + minPause(cluster).toMinutes() + " min of the window remain");
                    } else if (!enoughLeft) {
                        plans.put(plan.withWindow(i, w.with("SKIPPED", guard.get())));
                        record("cluster-pause", cluster, "skipped: " + guard.get());
                    }
                    return;
                }
                try {
                    redshift.pauseCluster(b -> b.clusterIdentifier(cluster));
                } catch (InvalidClusterStateException transitional) {
                    return; // retried at the next tick
                }
                plans.put(plan.withWindow(i, w.with("PAUSED", null)));
                record("cluster-pause", cluster, "paused until " + (w.open() ? "the next plan" : w.resumeAt()));
                return;
            }
            if (!now.isBefore(w.resumeAt()) && !w.open() && w.state().equals("PAUSED")) {
                if (resumeIfPaused(cluster)) {
                    plans.put(plan.withWindow(i, w.with("RESUMED", null)));
                    record("cluster-resume", cluster, "resumed " + Duration.between(w.resumeAt(), now).toSeconds()
                            + " s after the planned time, ahead of forecast load");
                }
                return;
            }
        }
    }

    private Guards.ClusterNow now(String cluster, double threshold) {
        Cluster c = redshift.describeClusters(b -> b.clusterIdentifier(cluster)).clusters().get(0);
        Instant t = clock.instant();
        List<Sample> cpu = history.fetch(cluster, "CPUUtilization", t.minus(Guards.CPU_LOOKBACK), t);
        List<Sample> conns = history.fetch(cluster, "DatabaseConnections", t.minus(Duration.ofMinutes(15)), t);
        int running = 0;
        try {
            running = (int) data.listStatements(b -> b.statementName("shiftwork/").clusterIdentifier(cluster).status("ALL")
                    .maxResults(100)).statements().stream()
                    .filter(s -> List.of("SUBMITTED", "PICKED", "STARTED").contains(s.statusAsString())).count();
        } catch (RuntimeException e) {
            LOG.debugf("could not list statements on %s: %s", cluster, e.getMessage());
        }
        boolean pending = c.pendingModifiedValues() != null && !c.pendingModifiedValues().equals(
                software.amazon.awssdk.services.redshift.model.PendingModifiedValues.builder().build());
        return new Guards.ClusterNow(c.clusterStatus(), c.clusterAvailabilityStatus(), pending,
                cpu.stream().map(Sample::cpu).filter(v -> !Double.isNaN(v)).max(Double::compare).orElse(null),
                conns.isEmpty() ? null : conns.get(conns.size() - 1).cpu(), running);
    }

    private boolean resumeIfPaused(String cluster) {
        String status = redshift.describeClusters(b -> b.clusterIdentifier(cluster)).clusters().get(0).clusterStatus();
        if (!"paused".equalsIgnoreCase(status)) {
            return "available".equalsIgnoreCase(status) || "resuming".equalsIgnoreCase(status);
        }
        try {
            redshift.resumeCluster(b -> b.clusterIdentifier(cluster));
            return true;
        } catch (InvalidClusterStateException transitional) {
            return false;
        }
    }

    /** {@code POST /clusters/{id}/resume}: resume now and hold automatic pauses until the current window ends. */
    public Map<String, Object> resumeNow(String cluster, StartedBy by) {
        requireKnown(cluster);
        Instant now = clock.instant();
        boolean resumed = resumeIfPaused(cluster);
        Instant holdUntil = plans.get(cluster).flatMap(p -> p.windows().stream()
                .filter(w -> !now.isBefore(w.pauseAt()) && now.isBefore(w.resumeAt())).map(ClusterPlan.PlannedWindow::resumeAt)
                .findFirst()).orElse(now);
        plans.get(cluster).ifPresent(p -> plans.put(p.withHold(holdUntil)));
        String runId = record("cluster-resume", cluster, (resumed ? "resumed on request of " : "was not paused; resume asked by ")
                + by.principal(), by);
        return Map.of("cluster", cluster, "resumed", resumed, "holdUntil", holdUntil.toString(), "runId", runId);
    }

    /** {@code POST /clusters/{id}/hold?until=}: no automatic pause until then. */
    public Map<String, Object> hold(String cluster, Instant until, StartedBy by) {
        requireKnown(cluster);
        ClusterPlan plan = plans.get(cluster).orElse(new ClusterPlan(cluster, clock.instant(), threshold(cluster), List.of(), List.of(), null));
        plans.put(plan.withHold(until));
        String runId = record("cluster-hold", cluster, "no automatic pause until " + until + ", asked by " + by.principal(), by);
        return Map.of("cluster", cluster, "holdUntil", until.toString(), "runId", runId);
    }

    void requireKnown(String cluster) {
        if (!clusters().contains(cluster)) {
            throw io.shiftwork.pipelines.ApiException.notFound("cluster '" + cluster + "' is not managed by pause/resume; "
                    + "managed: " + String.join(", ", clusters()));
        }
    }

    public Optional<ClusterPlan> planOf(String cluster) {
        return plans.get(cluster);
    }

    public List<Sample> recentCpu(String cluster) {
        Instant t = clock.instant();
        return history.read(cluster).stream().filter(s -> s.at().isAfter(t.minus(Duration.ofDays(1)))).toList();
    }

    /** Records an action the executor took as a finished run of its own pipeline. */
    private String record(String pipeline, String cluster, String what) {
        return record(pipeline, cluster, what, StartedBy.service(Trigger.SCHEDULE));
    }

    /** Records an action as a finished run of its own pipeline, with who asked for it. */
    private String record(String pipeline, String cluster, String what, StartedBy by) {
        Map<String, Object> params = Map.of("cluster", cluster, "action", what);
        return runner.record(pipeline, params, by).runId();
    }
}
