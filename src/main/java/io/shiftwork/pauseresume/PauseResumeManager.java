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

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.shiftwork.pauseresume.PauseLifecycle.Action;
import io.shiftwork.pauseresume.PauseLifecycle.Event;
import io.shiftwork.pauseresume.PauseLifecycle.State;
import io.shiftwork.pipelines.Alerts;
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
 * executor tick reconciles each cluster's real state with its plan and moves each window through its life cycle
 * ({@link PauseLifecycle}), carrying out the actions. What Shiftwork paused is recorded in DynamoDB; a cluster it
 * paused that no pause window in progress covers is resumed, whatever the plan says; one paused by someone else is
 * left alone and reported. Fails closed (no pause without every guard's data) and loud (a failed pause or resume
 * alerts the support topic and counts {@code shiftwork_pause_resume_failures_total}). Every action is a run.
 */
@ApplicationScoped
@io.quarkus.runtime.Startup // a bad forecaster setting stops start-up, naming its key
@Named("pauseResumeManager")
@RegisterForReflection
public class PauseResumeManager implements io.shiftwork.statements.ClusterWake {

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
    private final MeterRegistry metrics;
    private final Alerts alerts;
    @jakarta.inject.Inject
    io.shiftwork.cluster.Leadership leadership;

    /** Durations the manager waits or plans with that cannot be zero or negative stop start-up naming the key. */
    void checkConfig(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent ev) {
        io.shiftwork.pipelines.RouteTimers.positive("shiftwork.pause-resume.resume-request-wait", config.resumeRequestWait());
        io.shiftwork.pipelines.RouteTimers.positive("shiftwork.pause-resume.transition-budget", config.transitionBudget());
        io.shiftwork.pipelines.RouteTimers.positive("shiftwork.pause-resume.open-ended-after", config.openEndedAfter());
        io.shiftwork.pipelines.RouteTimers.positive("shiftwork.pause-resume.max-pause", config.maxPause());
    }

    public PauseResumeManager(PauseResumeConfig config, CpuHistory history, PlanStore plans, RedshiftClient redshift,
            RedshiftDataClient data, PipelineRunner runner, RunSteps steps, Clock clock,
            software.amazon.awssdk.services.forecast.ForecastClient amazonForecast,
            software.amazon.awssdk.services.forecastquery.ForecastqueryClient amazonForecastQuery,
            software.amazon.awssdk.services.s3.S3Client s3, MeterRegistry metrics, Alerts alerts) {
        this.config = config;
        this.metrics = metrics;
        this.alerts = alerts;
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
        config.clusters().forEach((id, c) -> zone(id, c.zone()));
        TunedForecaster.validMaxIncidents(config.tuner().maxIncidents());
        config.clusters().keySet().stream().filter(id -> id.startsWith(DRILL_PREFIX)).forEach(id -> LOG.warnf(
                "shiftwork.pause-resume.clusters.%s is ignored: restore-drill clusters are never paused or resumed", id));
    }

    /** Managed clusters: enabled ones, never a restore drill's temporary cluster ({@code drill-...}). */
    List<String> clusters() {
        return config.clusters().entrySet().stream().filter(e -> e.getValue().enabled()).map(Map.Entry::getKey)
                .filter(id -> !id.startsWith(DRILL_PREFIX)).sorted().toList();
    }

    /** How restore drills name their temporary clusters (snapshots.RestoreDrill). */
    static final String DRILL_PREFIX = "drill-";

    /** Snapshots a schedule needs before a pause (snapshots: each schedule's RPO); none without snapshots. */
    @jakarta.inject.Inject
    BeforePause beforePause;

    /** A cluster's {@code zone} setting; an invalid one stops start-up, naming its key. */
    static java.time.ZoneId zone(String cluster, String zone) {
        try {
            return java.time.ZoneId.of(zone);
        } catch (java.time.DateTimeException e) {
            throw new IllegalArgumentException("shiftwork.pause-resume.clusters." + cluster + ".zone must be a time zone "
                    + "such as UTC or Europe/Berlin, got '" + zone + "'");
        }
    }

    /** The time zone of the cluster's days and weeks. */
    java.time.ZoneId zone(String cluster) {
        PauseResumeConfig.ClusterConfig c = config.clusters().get(cluster);
        return c == null ? java.time.ZoneOffset.UTC : java.time.ZoneId.of(c.zone());
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
                        "resumeAt", w.resumeAt().toString(), "open", w.open(), "openEnded", w.openEnded())).toList());
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
                config.quantile(), config.maxBusyWhilePaused(), config.validationDays()).inZone(zone(cluster))
                .withMaxIncidents(config.tuner().maxIncidents());
        List<ForecastPoint> forecast = model.forecast(cluster, samples, now, Duration.ofDays(1));
        if (model instanceof TunedForecaster tuned && tuned.lastChoice() != null) {
            LOG.infof("%s: forecast with %s (replayed over %d days: idle capture %.1f%%, busy-while-paused %.2f%%)", cluster,
                    tuned.lastChoice().setting(), tuned.lastChoice().validationDays(),
                    tuned.lastChoice().validation().idleCapture() * 100, tuned.lastChoice().validation().busyWhilePaused() * 100);
        }
        // a stopped workload (opt-in): one pause with no planned resume, up to the cluster's maximum
        Optional<PausePlanner.Window> openEnded = c != null && c.openEnded()
                ? PausePlanner.openEnded(samples, threshold(cluster), now, config.openEndedAfter(), maxPause(cluster))
                : Optional.empty();
        List<PausePlanner.Window> raw = openEnded.map(List::of)
                .orElseGet(() -> PausePlanner.plan(forecast, threshold(cluster), minPause, lead));
        List<PausePlanner.Window> planned = PausePlanner.avoid(raw, etlFireTimes(cluster, now,
                openEnded.map(PausePlanner.Window::resumeAt).orElse(now.plus(Duration.ofDays(1)))), minPause, lead);
        List<ClusterPlan.PlannedWindow> fresh = planned.stream()
                .map(w -> new ClusterPlan.PlannedWindow(w.pauseAt(), w.resumeAt(), w.open(), "PLANNED", null, now,
                        openEnded.isPresent() && openEnded.get().resumeAt().equals(w.resumeAt()))).toList();
        // the new plan replaces the stored one conditionally: a hold or a window outcome written meanwhile is read again
        for (int attempt = 0; attempt < 10; attempt++) {
            Optional<ClusterPlan> stored = plans.get(cluster);
            List<ClusterPlan.PlannedWindow> windows = ClusterPlan.merge(fresh, stored.flatMap(ClusterPlan::active), now);
            ClusterPlan plan = new ClusterPlan(cluster, now, threshold(cluster), windows, forecast,
                    stored.map(ClusterPlan::holdUntil).orElse(null), stored.map(ClusterPlan::version).orElse(0L));
            try {
                return plans.put(plan);
            } catch (PlanStore.Conflict again) {
                LOG.debugf("plan of %s changed while planning: merging again", cluster);
            }
        }
        throw new PlanStore.Conflict(cluster);
    }

    Duration maxPause(String cluster) {
        PauseResumeConfig.ClusterConfig c = config.clusters().get(cluster);
        return c == null ? config.maxPause() : c.maxPause().orElse(config.maxPause());
    }

    /** The ETL cron's fire times in [from, to) when the ETL runs on this cluster and pauses must not cross them. */
    List<Instant> etlFireTimes(String cluster, Instant from, Instant to) {
        org.eclipse.microprofile.config.Config c = org.eclipse.microprofile.config.ConfigProvider.getConfig();
        if (config.pauseAcrossEtl() || !c.getOptionalValue("shiftwork.etl.scheduled", Boolean.class).orElse(false)
                || !c.getOptionalValue("shiftwork.statements.cluster-identifier", String.class).map(cluster::equals).orElse(false)) {
            return List.of();
        }
        List<Instant> out = new ArrayList<>();
        try {
            org.quartz.CronExpression cron = new org.quartz.CronExpression(c.getValue("shiftwork.etl.schedule", String.class));
            cron.setTimeZone(java.util.TimeZone.getTimeZone("UTC"));
            java.util.Date next = cron.getNextValidTimeAfter(java.util.Date.from(from));
            while (next != null && next.toInstant().isBefore(to) && out.size() < 1000) {
                out.add(next.toInstant());
                next = cron.getNextValidTimeAfter(next);
            }
        } catch (java.text.ParseException e) {
            throw new IllegalStateException("shiftwork.etl.schedule is not a Quartz cron expression: " + e.getMessage());
        }
        return out;
    }

    /**
     * The timer's tick: {@link #execute()} with the fencing token of this replica's leadership (the route is a
     * {@code master:} route: it runs on the lease holder only, and every action is fenced, {@link io.shiftwork.cluster.Leadership}).
     */
    public void scheduledTick() {
        if (leadership == null) {
            execute();
        } else {
            leadership.run("the pause/resume tick", this::execute);
        }
    }

    /** The executor's tick: reconciles each managed cluster with its plan, pauses and resumes what is due now. */
    public void execute() {
        Instant now = clock.instant();
        for (String cluster : clusters()) {
            try {
                tick(cluster, now, null);
            } catch (PlanStore.Conflict changed) {
                LOG.infof("%s: the plan changed during the tick (a hold, a re-plan): acting on it at the next tick", cluster);
            } catch (io.shiftwork.cluster.NotLeader lost) {
                LOG.warnf("pause/resume tick stopped at %s: %s", cluster, lost.getMessage());
                return;
            } catch (RuntimeException e) {
                LOG.warnf(e, "pause/resume tick of %s failed", cluster);
                failure(cluster, "tick");
            }
        }
    }

    /** One cluster's tick; {@code read}: the plan as read by the caller (tests: a read that became stale), else read now. */
    void tick(String cluster, Instant now, ClusterPlan read) {
        Optional<PlanStore.PauseRecord> record = plans.pauseOf(cluster);
        Cluster described = null;
        String describeError = null;
        try {
            described = redshift.describeClusters(b -> b.clusterIdentifier(cluster)).clusters().get(0);
        } catch (RuntimeException e) {
            describeError = "DescribeClusters failed: " + e.getMessage();
            LOG.warnf("%s: %s", cluster, describeError);
            failure(cluster, "describe");
        }
        String status = described == null ? null : described.clusterStatus().toLowerCase(java.util.Locale.ROOT);
        boolean paused = "paused".equals(status) || "pausing".equals(status);
        Optional<ClusterPlan> plan = read != null ? Optional.of(read) : plans.get(cluster);
        Optional<ClusterPlan.PlannedWindow> active = plan.flatMap(ClusterPlan::active);
        fence("decide the tick of " + cluster); // what was read above is not stale: no stall since the tick began

        // reconcile: who paused the cluster, and is a pause of Shiftwork's still wanted?
        if (paused && record.isEmpty() && active.isEmpty()) {
            if (!plans.rememberForeignPause(cluster, now)) {
                return; // Shiftwork's own record landed meanwhile (a pause in flight): the next tick sees it
            }
            metrics.counter("shiftwork.pause.resume.foreign.pauses", "cluster", cluster).increment();
            record("cluster-pause", cluster, "found " + status + " by someone else: left alone, never resumed by Shiftwork");
        } else if ("available".equals(status) && record.isPresent() && active.isEmpty()) {
            plans.forgetPause(cluster);
        } else if (paused && record.isPresent() && record.get().byShiftwork() && active.isEmpty()) {
            Outcome o = resumeCall(cluster);
            if (o.event() == Event.RESUME_ACCEPTED) {
                plans.forgetPause(cluster);
                record("cluster-resume", cluster, "resumed: paused by Shiftwork since " + record.get().since()
                        + " and no pause window of its plan is in progress");
            } else {
                failure(cluster, "resume");
                LOG.warnf("%s: paused by Shiftwork outside any pause window, resume refused: %s", cluster, o.note());
            }
        }
        if (plan.isEmpty()) {
            return;
        }
        ClusterPlan p = plan.get();
        if (active.isPresent()) {
            ClusterPlan.PlannedWindow w = active.get();
            switch (w.lifecycle()) {
                case PAUSING -> {
                    if (paused) {
                        fire(p, w.pauseAt(), Event.SEEN_PAUSED, pausedUntil(w), now);
                    } else if (status != null) {
                        fire(p, w.pauseAt(), Event.SEEN_AVAILABLE, "found " + status + ": the pause was never made", now);
                    }
                }
                case PAUSED -> {
                    if (!now.isBefore(w.resumeAt()) && w.openEnded()) {
                        fire(p, w.pauseAt(), Event.MAX_PAUSE_REACHED, "open-ended pause reached its maximum of "
                                + Duration.between(w.pauseAt(), w.resumeAt()).toHours() + " h", now);
                    } else if (!now.isBefore(w.resumeAt())) {
                        fire(p, w.pauseAt(), Event.RESUME_DUE, "resume planned for " + w.resumeAt(), now);
                    } else if ("available".equals(status) || "resuming".equals(status)) {
                        fire(p, w.pauseAt(), Event.SEEN_AVAILABLE, "found " + status + " before " + w.resumeAt()
                                + ": resumed by someone else", now);
                    }
                }
                case RESUMING -> {
                    if ("available".equals(status) || "resuming".equals(status)) {
                        fire(p, w.pauseAt(), Event.SEEN_AVAILABLE, "found " + status + ": the resume went through", now);
                    } else if (w.since() != null && now.isAfter(w.since().plus(config.transitionBudget()))) {
                        fire(p, w.pauseAt(), Event.BUDGET_SPENT, "not resumed " + config.transitionBudget().toMinutes()
                                + " min after the resume was due (" + w.note() + "); retried every tick", now);
                    } else {
                        fire(p, w.pauseAt(), Event.RESUME_DUE, "resume retried", now);
                    }
                }
                default -> {
                }
            }
            return;
        }
        boolean held = p.holdUntil() != null && now.isBefore(p.holdUntil());
        for (ClusterPlan.PlannedWindow w : p.windows()) {
            if (!w.lifecycle().waiting()) {
                continue;
            }
            if (!now.isBefore(w.resumeAt())) {
                p = fire(p, w.pauseAt(), Event.TOO_LATE, "the window passed without a pause", now);
                continue;
            }
            if (!w.covers(now)) {
                continue;
            }
            if (held) {
                fire(p, w.pauseAt(), Event.HELD, "held until " + p.holdUntil(), now);
                return;
            }
            Optional<String> guard = describeError != null ? Optional.of(describeError)
                    : Guards.check(now(cluster, described), p.threshold(), config.maxConnections());
            List<String> taken = List.of();
            if (guard.isEmpty() && beforePause != null) {
                // no schedule's RPO may lapse while the cluster is paused (AWS takes no snapshot of a paused cluster)
                try {
                    taken = beforePause.snapshotsBeforePause(cluster, now, w.resumeAt());
                } catch (RuntimeException e) {
                    guard = Optional.of("the snapshot due before the pause failed: " + e.getMessage());
                }
            }
            if (guard.isEmpty()) {
                fire(p, w.pauseAt(), Event.DUE, pausedUntil(w) + (taken.isEmpty() ? "" : "; first took " + String.join(", ", taken)), now);
                return;
            }
            // a failed guard defers the pause to the next tick while at least minPause of the window is left
            boolean enoughLeft = w.open() || !Duration.between(now, w.resumeAt()).minus(Forecaster.STEP)
                    .minus(minPause(cluster)).isNegative();
            fire(p, w.pauseAt(), enoughLeft ? Event.GUARD_FAILED : Event.TOO_LATE, enoughLeft ? guard.get()
                    + "; retried each tick while at least " + minPause(cluster).toMinutes() + " min of the window remain"
                    : guard.get(), now);
            return;
        }
    }

    private static String pausedUntil(ClusterPlan.PlannedWindow w) {
        if (w.openEnded()) {
            return "open-ended (the workload stopped): until a pipeline needs it, a resume is asked for, or at the latest "
                    + w.resumeAt();
        }
        return "until " + w.resumeAt() + (w.open() ? " (the forecast's end) or the next plan" : "");
    }

    /** What a call to AWS came to, as a life-cycle event. */
    record Outcome(Event event, String note) {
    }

    /**
     * Moves a window through its life cycle and carries out the actions. With {@code basis} read from the store the
     * write is conditional on it (an intent: a hold written since wins, {@link PlanStore.Conflict}); the outcome of a
     * call is written with re-reads, as it must not be lost. Returns the plan as written.
     */
    private ClusterPlan fire(ClusterPlan basis, Instant pauseAt, Event event, String note, Instant now) {
        return fire(basis.clusterId(), basis, pauseAt, event, note, now, null);
    }

    /**
     * {@code intent}: for the outcome of a call, the window as this caller's intent wrote it. The outcome applies only
     * while the window is still that intent (same state, same {@code since}); a caller that stalled past another
     * replica's tick finds the window moved on and its outcome is dropped (fencing), so a refused late call never
     * undoes the pause another replica made.
     */
    private ClusterPlan fire(String cluster, ClusterPlan basis, Instant pauseAt, Event event, String note, Instant now,
            ClusterPlan.PlannedWindow intent) {
        PauseLifecycle.Step[] step = new PauseLifecycle.Step[1];
        State[] from = new State[1];
        Instant[] planned = new Instant[1];
        java.util.function.UnaryOperator<ClusterPlan> change = p -> {
            int i = p.indexOf(pauseAt);
            if (i < 0) {
                step[0] = null;
                return p;
            }
            ClusterPlan.PlannedWindow w = p.windows().get(i);
            if (intent != null && (!w.state().equals(intent.state()) || !java.util.Objects.equals(w.since(), intent.since()))) {
                LOG.infof("%s: %s dropped, the window moved on to %s since this call was decided", cluster, event, w.state());
                step[0] = null;
                return p;
            }
            from[0] = w.lifecycle();
            planned[0] = w.resumeAt();
            step[0] = PauseLifecycle.next(from[0], event);
            if (step[0].state() == from[0] && step[0].actions().isEmpty()) {
                return p;
            }
            return p.withWindow(i, w.with(step[0].state().name(), note, step[0].state() == from[0] ? w.since() : now));
        };
        ClusterPlan written;
        if (basis != null) {
            ClusterPlan changed = change.apply(basis);
            written = changed == basis ? basis : plans.put(changed);
        } else {
            written = plans.update(cluster, change).orElse(null);
        }
        if (step[0] == null) {
            return written;
        }
        boolean resumeSide = from[0] == State.PAUSED || from[0] == State.RESUMING;
        for (Action a : step[0].actions()) {
            switch (a) {
                case REMEMBER_PAUSE -> plans.rememberPause(new PlanStore.PauseRecord(cluster, true, now, pauseAt));
                case FORGET_PAUSE -> plans.forgetPause(cluster);
                case PAUSE_CLUSTER -> {
                    ClusterPlan.PlannedWindow mine = written.windows().get(written.indexOf(pauseAt));
                    Outcome o = pauseCall(cluster);
                    written = fire(cluster, null, pauseAt, o.event(), o.event() == Event.PAUSE_ACCEPTED ? note : o.note(), now,
                            mine);
                }
                case RESUME_CLUSTER -> {
                    ClusterPlan.PlannedWindow mine = written.windows().get(written.indexOf(pauseAt));
                    Outcome o = resumeCall(cluster);
                    long late = Duration.between(planned[0], now).toSeconds();
                    String text = o.event() == Event.RESUME_ACCEPTED ? note + "; ResumeCluster accepted "
                            + (late >= 0 ? late + " s after" : -late + " s before") + " the planned time" : o.note();
                    written = fire(cluster, null, pauseAt, o.event(), text, now, mine);
                }
                case RECORD -> record(resumeSide ? "cluster-resume" : "cluster-pause", cluster,
                        step[0].state().name().toLowerCase(java.util.Locale.ROOT) + ": " + note);
                case ALERT -> {
                    failure(cluster, resumeSide ? "resume" : "pause");
                    Map<String, Object> message = new LinkedHashMap<>();
                    message.put("event", resumeSide ? "ResumeFailed" : "PauseFailed");
                    message.put("cluster", cluster);
                    message.put("window", pauseAt.toString());
                    message.put("reason", note);
                    alerts.publish("Shiftwork: " + (resumeSide ? "resume" : "pause") + " of " + cluster + " failed", message);
                }
                case COUNT_FAILURE -> failure(cluster, resumeSide ? "resume" : "pause");
            }
        }
        return written;
    }

    /** Applies the outcome of a call that {@code intent} decided (a seam for tests: a replica that stalled mid-call). */
    void outcome(String cluster, Instant pauseAt, Event event, String note, ClusterPlan.PlannedWindow intent) {
        fire(cluster, null, pauseAt, event, note, clock.instant(), intent);
    }

    /** The leader's fence (io.shiftwork.cluster); none for an instance built by hand, outside CDI (tests). */
    private void fence(String what) {
        if (leadership != null) {
            leadership.fence(what);
        }
    }

    private Outcome pauseCall(String cluster) {
        fence("PauseCluster " + cluster);
        try {
            redshift.pauseCluster(b -> b.clusterIdentifier(cluster));
            metrics.counter("shiftwork.pause.resume.calls", "cluster", cluster, "call", "PauseCluster").increment();
            return new Outcome(Event.PAUSE_ACCEPTED, "PauseCluster accepted");
        } catch (InvalidClusterStateException transitional) {
            return new Outcome(Event.PAUSE_REFUSED, "PauseCluster refused: " + transitional.awsErrorDetails().errorMessage());
        } catch (RuntimeException e) {
            return new Outcome(Event.PAUSE_FAILED, "PauseCluster failed: " + e.getMessage());
        }
    }

    private Outcome resumeCall(String cluster) {
        fence("ResumeCluster " + cluster);
        try {
            redshift.resumeCluster(b -> b.clusterIdentifier(cluster));
            metrics.counter("shiftwork.pause.resume.calls", "cluster", cluster, "call", "ResumeCluster").increment();
            return new Outcome(Event.RESUME_ACCEPTED, "ResumeCluster accepted");
        } catch (InvalidClusterStateException transitional) {
            return new Outcome(Event.RESUME_REFUSED, "ResumeCluster refused: " + transitional.awsErrorDetails().errorMessage());
        } catch (RuntimeException e) {
            return new Outcome(Event.RESUME_FAILED, "ResumeCluster failed: " + e.getMessage());
        }
    }

    private void failure(String cluster, String action) {
        metrics.counter("shiftwork.pause.resume.failures", "cluster", cluster, "action", action).increment();
    }

    private Guards.ClusterNow now(String cluster, Cluster c) {
        Instant t = clock.instant();
        List<Sample> cpu = history.fetch(cluster, "CPUUtilization", t.minus(Guards.CPU_LOOKBACK), t);
        List<Sample> conns = history.fetch(cluster, "DatabaseConnections", t.minus(Guards.CONNECTIONS_LOOKBACK), t);
        Integer running = null;
        try {
            running = (int) data.listStatements(b -> b.statementName("shiftwork/").clusterIdentifier(cluster).status("ALL")
                    .maxResults(100)).statements().stream()
                    .filter(s -> List.of("SUBMITTED", "PICKED", "STARTED").contains(s.statusAsString())).count();
        } catch (RuntimeException e) {
            LOG.infof("could not list statements on %s, so it is not paused: %s", cluster, e.getMessage());
        }
        boolean pending = c.pendingModifiedValues() != null && !c.pendingModifiedValues().equals(
                software.amazon.awssdk.services.redshift.model.PendingModifiedValues.builder().build());
        return new Guards.ClusterNow(c.clusterStatus(), c.clusterAvailabilityStatus(), pending,
                cpu.stream().map(Sample::cpu).filter(v -> !Double.isNaN(v)).max(Double::compare).orElse(null),
                conns.stream().map(Sample::cpu).filter(v -> !Double.isNaN(v)).reduce((a, b) -> b).orElse(null), running);
    }

    /**
     * {@code POST /clusters/{id}/resume}: resume now and hold automatic pauses until the current window ends. The hold
     * is written with re-reads, so a tick racing it cannot overwrite it.
     */
    public Map<String, Object> resumeNow(String cluster, StartedBy by) {
        requireKnown(cluster);
        try {
            redshift.describeClusters(b -> b.clusterIdentifier(cluster));
        } catch (software.amazon.awssdk.services.redshift.model.ClusterNotFoundException e) {
            // configured, but Redshift has no such cluster: nothing to resume, nothing changed
            throw io.shiftwork.pipelines.ApiException.notFound("cluster '" + cluster + "' is managed by configuration "
                    + "but Redshift does not know it");
        }
        String seen = awaitNot(cluster, "pausing", config.resumeRequestWait());
        if ("pausing".equals(seen)) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("cluster", cluster);
            details.put("state", seen);
            details.put("retryAfterSeconds", 30);
            throw new io.shiftwork.pipelines.ApiException(409, "cluster_in_transition", "cluster '" + cluster + "' is still "
                    + "pausing after " + config.resumeRequestWait().toSeconds() + " s; AWS resumes a cluster only once it is "
                    + "paused: ask again in a minute", details);
        }
        Instant now = clock.instant();
        Optional<ClusterPlan> current = plans.get(cluster);
        Instant holdUntil = current.flatMap(p -> p.windows().stream().filter(w -> w.covers(now) || w.lifecycle().active())
                .map(ClusterPlan.PlannedWindow::resumeAt).filter(now::isBefore).findFirst()).orElse(now);
        // a longer hold an operator asked for is kept: a resume never shortens it
        ClusterPlan held = upsert(cluster, p -> p.holdUntil() != null && p.holdUntil().isAfter(holdUntil) ? p : p.withHold(holdUntil));
        Optional<ClusterPlan.PlannedWindow> active = held.active();
        boolean resumed;
        if (active.isPresent() && active.get().lifecycle() == State.PAUSING && "paused".equals(seen)) {
            // the pause finished while this request waited: the window is PAUSED, then resumed below
            fire(cluster, null, active.get().pauseAt(), Event.SEEN_PAUSED, pausedUntil(active.get()), now, null);
        }
        if (active.isPresent() && (active.get().lifecycle() != State.PAUSING || "paused".equals(seen))) {
            ClusterPlan after = fire(cluster, null, active.get().pauseAt(), Event.RESUME_DUE, "resumed on request", now, null);
            resumed = after != null && after.windows().stream().anyMatch(w -> w.pauseAt().equals(active.get().pauseAt())
                    && w.lifecycle() == State.RESUMED);
        } else {
            String status = redshift.describeClusters(b -> b.clusterIdentifier(cluster)).clusters().get(0).clusterStatus();
            resumed = "paused".equalsIgnoreCase(status) && resumeCall(cluster).event() == Event.RESUME_ACCEPTED;
            if (resumed) {
                plans.forgetPause(cluster);
            }
        }
        String runId = record("cluster-resume", cluster, (resumed ? "resumed on request of " : "was not resumed (not paused, or refused); asked by ")
                + by.principal(), by);
        return Map.of("cluster", cluster, "resumed", resumed, "holdUntil", String.valueOf(held.holdUntil()), "runId", runId);
    }

    /** The cluster's status in lower case, null when DescribeClusters fails. */
    private String statusOf(String cluster) {
        try {
            return redshift.describeClusters(b -> b.clusterIdentifier(cluster)).clusters().get(0).clusterStatus()
                    .toLowerCase(java.util.Locale.ROOT);
        } catch (RuntimeException e) {
            LOG.infof("%s: DescribeClusters failed: %s", cluster, e.getMessage());
            return null;
        }
    }

    /** Polls (real time: transitions take real minutes) until the status is not {@code status} or {@code limit} passed. */
    private String awaitNot(String cluster, String status, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        long pause = 200;
        String seen = statusOf(cluster);
        while (status.equals(seen) && System.nanoTime() < deadline) {
            sleep(pause);
            pause = Math.min(pause * 2, 10_000);
            seen = statusOf(cluster);
        }
        return seen;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a cluster", e);
        }
    }

    private static final java.util.Set<String> ASLEEP = java.util.Set.of("paused", "pausing", "resuming");

    /**
     * A statement step aimed at {@code cluster}: a cluster Shiftwork paused (or is pausing) is resumed now — its
     * window ends RESUMED early, and is not paused again unless re-planned — and waited for up to the transition
     * budget; a cluster paused by someone else is left alone and the step fails saying so.
     */
    @Override
    public Optional<String> ensureAvailable(String cluster, String purpose) {
        if (!clusters().contains(cluster)) {
            return Optional.empty(); // not managed: Shiftwork pauses nothing there, the Data API answers for itself
        }
        long started = System.nanoTime();
        String status = statusOf(cluster);
        if (status == null || !ASLEEP.contains(status)) {
            return Optional.empty(); // available, or unknown here: the Data API answers for itself
        }
        long deadline = started + config.transitionBudget().toNanos();
        String why = purpose + " needs the cluster";
        boolean resumedHere = false;
        int foreignSeen = 0;
        long pause = 200;
        while (!"available".equals(status)) {
            // once resumed here, only wait: DescribeClusters may still say paused for a moment, and the record is gone
            if (status != null && !"resuming".equals(status) && !resumedHere) {
                Optional<PlanStore.PauseRecord> record = plans.pauseOf(cluster);
                // seen twice, a poll apart: a concurrent step may have just resumed it and forgotten the record
                if ((record.isEmpty() || !record.get().byShiftwork()) && ++foreignSeen < 2) {
                    sleep(Math.max(pause, 1000));
                    status = statusOf(cluster);
                    continue;
                }
                if (record.isEmpty() || !record.get().byShiftwork()) {
                    throw new IllegalStateException("cluster " + cluster + " is " + status + " and Shiftwork did not pause it"
                            + record.map(r -> " (paused by someone else, seen since " + r.since() + ")").orElse("")
                            + ": " + purpose + " was not submitted. Shiftwork resumes only its own pauses; resume the "
                            + "cluster, then start the run again");
                }
                if ("paused".equals(status)) {
                    Instant now = clock.instant();
                    Optional<ClusterPlan.PlannedWindow> active = plans.get(cluster).flatMap(ClusterPlan::active);
                    if (active.isPresent()) {
                        if (active.get().lifecycle() == State.PAUSING) {
                            fire(cluster, null, active.get().pauseAt(), Event.SEEN_PAUSED, pausedUntil(active.get()), now, null);
                        }
                        fire(cluster, null, active.get().pauseAt(), Event.NEEDED, "resumed early: " + why, now, null);
                    } else if (resumeCall(cluster).event() == Event.RESUME_ACCEPTED) {
                        plans.forgetPause(cluster);
                        record("cluster-resume", cluster, "resumed: " + why + " (paused by Shiftwork since "
                                + record.get().since() + ", no pause window in progress)");
                    }
                    resumedHere = true;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("cluster " + cluster + " is still " + status + " "
                        + config.transitionBudget().toMinutes() + " min after " + purpose + " asked for it: not submitted");
            }
            sleep(pause);
            pause = Math.min(pause * 2, 10_000);
            status = statusOf(cluster);
        }
        long waited = Math.round((System.nanoTime() - started) / 1e9);
        // the window still RESUMING (a racing tick took the resume): the cluster is back, the window is over
        plans.get(cluster).flatMap(ClusterPlan::active).ifPresent(w -> fire(cluster, null, w.pauseAt(), Event.SEEN_AVAILABLE,
                "resumed early: " + why, clock.instant(), null));
        metrics.counter("shiftwork.pause.resume.wakes", "cluster", cluster).increment();
        String done = (resumedHere ? "resumed " + cluster + " for " + purpose : "waited for " + cluster + " to resume for "
                + purpose) + ", waited " + waited + " s";
        LOG.info(done);
        return Optional.of(done);
    }

    /** {@code GET /clusters/{id}/plan}: the windows, what became of each, and how an open-ended pause ends. */
    public Map<String, Object> planView(String cluster) {
        requireKnown(cluster);
        ClusterPlan plan = plans.get(cluster).orElseThrow(() -> io.shiftwork.pipelines.ApiException.notFound(
                "no plan for cluster '" + cluster + "' yet: POST /pipelines/pause-resume/runs"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("clusterId", cluster);
        out.put("computedAt", plan.computedAt().toString());
        out.put("zone", zone(cluster).getId());
        out.put("threshold", plan.threshold());
        out.put("holdUntil", plan.holdUntil() == null ? null : plan.holdUntil().toString());
        out.put("windows", plan.windows().stream().map(w -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pauseAt", w.pauseAt().toString());
            m.put("resumeAt", w.openEnded() ? null : w.resumeAt().toString());
            m.put("open", w.open());
            m.put("openEnded", w.openEnded());
            if (w.openEnded()) {
                m.put("maxResumeAt", w.resumeAt().toString());
                m.put("wake", List.of("at the maximum, " + w.resumeAt(), "POST /clusters/" + cluster + "/resume",
                        "a pipeline step aimed at " + cluster));
            }
            m.put("state", w.state());
            m.put("note", w.note());
            m.put("since", w.since() == null ? null : w.since().toString());
            return m;
        }).toList());
        return out;
    }

    /** {@code POST /clusters/{id}/hold?until=}: no automatic pause until then; never lost to a racing tick. */
    public Map<String, Object> hold(String cluster, Instant until, StartedBy by) {
        requireKnown(cluster);
        upsert(cluster, p -> p.withHold(until));
        String runId = record("cluster-hold", cluster, "no automatic pause until " + until + ", asked by " + by.principal(), by);
        return Map.of("cluster", cluster, "holdUntil", until.toString(), "runId", runId);
    }

    private ClusterPlan upsert(String cluster, java.util.function.UnaryOperator<ClusterPlan> change) {
        for (int attempt = 0; attempt < 10; attempt++) {
            ClusterPlan p = plans.get(cluster).orElse(new ClusterPlan(cluster, clock.instant(), threshold(cluster), List.of(),
                    List.of(), null, 0));
            try {
                return plans.put(change.apply(p));
            } catch (PlanStore.Conflict again) {
                // a tick or a re-plan wrote in between: apply the change to what it wrote
            }
        }
        throw new PlanStore.Conflict(cluster);
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
        if (what.length() > 512) {
            what = what.substring(0, 509) + "..."; // the records' action parameter holds 512 characters
        }
        Map<String, Object> params = Map.of("cluster", cluster, "action", what);
        return runner.record(pipeline, params, by).runId();
    }
}
