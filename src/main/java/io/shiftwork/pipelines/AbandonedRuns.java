package io.shiftwork.pipelines;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import org.jboss.logging.Logger;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Finds runs nobody works on any more and ends them, so a replica killed between a run's start (the 202) and its
 * first recorded statement, or in the middle of an in-process flow (a restore drill), does not leave the run
 * RUNNING forever and its pipeline's one-at-a-time lock held.
 * <p>
 * Every instance writes a heartbeat (run context {@code heartbeatAt}, ISO-8601 UTC) every
 * {@code shiftwork.runs.heartbeat} into each run whose flow it is executing ({@link InFlightRuns}). A run is
 * abandoned when it is RUNNING (WAITING runs wait for a statement: the statement engine and its step timeout own
 * them) and neither its last write nor its heartbeat is newer than {@code shiftwork.runs.abandoned-after}. The
 * sweep marks it FAILED ("abandoned: …"), which releases its lock, alerts and tells its failure route.
 */
@ApplicationScoped
@Named("abandonedRuns")
@RegisterForReflection
public class AbandonedRuns {

    /** Run context key of the heartbeat, an ISO-8601 instant. */
    public static final String HEARTBEAT = "heartbeatAt";
    /** How many of each pipeline's newest runs one sweep looks at. */
    static final int SWEEP_DEPTH = 200;

    private static final Logger LOG = Logger.getLogger(AbandonedRuns.class);

    private final RunStore store;
    private final InFlightRuns inFlight;
    private final PipelineCatalog catalog;
    private final PipelineRunner runner;
    private final RunsConfig config;
    private final Clock clock;

    public AbandonedRuns(RunStore store, InFlightRuns inFlight, PipelineCatalog catalog, PipelineRunner runner,
            RunsConfig config, Clock clock) {
        this.store = store;
        this.inFlight = inFlight;
        this.catalog = catalog;
        this.runner = runner;
        this.config = config;
        this.clock = clock;
    }

    /** Fails the start naming the key when the sweep could end runs that are alive. */
    void checkConfig(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent start) {
        RouteTimers.positive("shiftwork.runs.retention", config.retention());
        RouteTimers.positive("shiftwork.runs.lock-ttl", config.lockTtl()); // 0: a lock that ends as it is taken
        RouteTimers.positive("shiftwork.runs.heartbeat", config.heartbeat());
        if (config.abandonedAfter().compareTo(config.heartbeat().multipliedBy(3)) < 0) {
            throw new IllegalArgumentException("shiftwork.runs.abandoned-after (" + config.abandonedAfter()
                    + ") must be at least three shiftwork.runs.heartbeat (" + config.heartbeat() + ")");
        }
    }

    /**
     * The last sign of life of a run: the later of its last write and its heartbeat. Pure.
     */
    static Instant lastSign(Run run) {
        Instant last = run.updatedAt() != null ? run.updatedAt() : run.createdAt();
        Object beat = run.context() == null ? null : run.context().get(HEARTBEAT);
        if (beat != null) {
            try {
                Instant b = Instant.parse(String.valueOf(beat));
                if (last == null || b.isAfter(last)) {
                    last = b;
                }
            } catch (java.time.format.DateTimeParseException ignored) {
                // a heartbeat we cannot read is no sign of life
            }
        }
        return last;
    }

    /** Whether nobody works on the run any more: RUNNING and silent for longer than {@code after}. Pure. */
    static boolean abandoned(Run run, Instant now, Duration after) {
        if (run.status() != RunStatus.RUNNING) {
            return false;
        }
        Instant last = lastSign(run);
        return last != null && last.plus(after).isBefore(now);
    }

    /** Writes this instance's heartbeat into each run whose flow it executes. */
    public void heartbeat() {
        String now = clock.instant().toString();
        for (String runId : inFlight.current()) {
            try {
                store.update(runId, r -> r.status() == RunStatus.RUNNING ? r.withContext(HEARTBEAT, now) : r);
            } catch (RuntimeException e) {
                LOG.warnf(e, "could not write the heartbeat of run %s", runId);
            }
        }
    }

    /**
     * Ends every abandoned run among each pipeline's newest {@value #SWEEP_DEPTH}.
     *
     * @return the ids of the runs it ended
     */
    public List<String> sweep() {
        Instant now = clock.instant();
        Duration after = config.abandonedAfter();
        List<String> ended = new ArrayList<>();
        for (PipelineSpec spec : catalog.all()) {
            if (spec.isRecord()) {
                continue;
            }
            for (Run run : store.listByPipeline(spec.name(), SWEEP_DEPTH)) {
                if (!abandoned(run, now, after) || inFlight.current().contains(run.runId())) {
                    continue;
                }
                String why = "abandoned: no instance has worked on this run since " + lastSign(run)
                        + " (shiftwork.runs.abandoned-after " + after + "); the instance running it stopped";
                // decided again on the stored run, so a heartbeat or step written meanwhile keeps it alive
                Optional<Run> after2 = Optional.ofNullable(runner.failIf(run.runId(), r -> abandoned(r, now, after), why));
                if (after2.filter(r -> r.status() == RunStatus.FAILED && why.equals(r.error())).isPresent()) {
                    LOG.warnf("run %s of %s %s", run.runId(), run.pipeline(), why);
                    ended.add(run.runId());
                }
            }
        }
        return ended;
    }
}
