package io.shiftwork.pipelines;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import org.apache.camel.Exchange;
import org.jboss.logging.Logger;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Starts the run a schedule fires (a quartz: or timer: route in YAML with header {@code shiftworkPipeline}),
 * once per scheduled time across replicas: every replica's scheduler fires, the first to take the DynamoDB
 * lease for that time starts the run.
 */
@ApplicationScoped
@Named("scheduledRuns")
@RegisterForReflection
public class ScheduledRuns {

    private static final Logger LOG = Logger.getLogger(ScheduledRuns.class);

    private final PipelineRunner runner;
    private final Leases leases;

    public ScheduledRuns(PipelineRunner runner, Leases leases) {
        this.runner = runner;
        this.leases = leases;
    }

    /** Returns the run started (SKIPPED while a one-at-a-time pipeline runs), or null when another replica took this time. */
    public Run fire(Exchange exchange) {
        String pipeline = exchange.getIn().getHeader(PipelineRunner.PIPELINE, String.class);
        if (pipeline == null) {
            throw new IllegalArgumentException("a schedule route names its pipeline in header " + PipelineRunner.PIPELINE);
        }
        Date scheduled = exchange.getIn().getHeader("scheduledFireTime", Date.class);
        Instant at = (scheduled != null ? scheduled.toInstant() : Instant.now()).truncatedTo(ChronoUnit.SECONDS);
        String key = "schedule/" + pipeline + "/" + at;
        if (!leases.acquire(key, exchange.getExchangeId(), Duration.ofDays(2))) {
            LOG.debugf("%s at %s already started by another replica", pipeline, at);
            return null;
        }
        Run run = runner.start(pipeline, Map.of(), StartedBy.service(Trigger.SCHEDULE));
        LOG.infof("schedule: %s %s run %s for %s", run.status() == RunStatus.SKIPPED ? "skipped" : "started", pipeline,
                run.runId(), at);
        return run;
    }
}
