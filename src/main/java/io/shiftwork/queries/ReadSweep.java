package io.shiftwork.queries;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Named;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.redshiftdata.model.ListStatementsResponse;
import software.amazon.awssdk.services.redshiftdata.model.ResourceNotFoundException;
import software.amazon.awssdk.services.redshiftdata.model.StatementData;
import software.amazon.awssdk.services.redshiftdata.model.ValidationException;

/**
 * The read sweep (routes/queries-sweep.camel.yaml, on the leader): cancels the routed reads still running past
 * {@code shiftwork.queries.timeout} from their submit — the asynchronous ones nobody polls (a client that crashed)
 * would otherwise run on the consumer for hours. For each configured consumer it lists the statements named
 * {@code shiftwork-query} in SUBMITTED, PICKED and STARTED (ListStatements, every page), {@link ReadSweepPlanner}
 * picks Shiftwork's own overdue reads, and each gets a CancelStatement; one that ended meanwhile is left as it is, one
 * whose cancel failed otherwise is logged and left to the next sweep.
 */
@ApplicationScoped
@Named("readSweep")
@RegisterForReflection
public class ReadSweep {

    private static final Logger LOG = Logger.getLogger(ReadSweep.class);
    /** The StatementName RoutedReads submits with (ListStatements matches it as a prefix: the tag decides). */
    static final String STATEMENT_NAME = "shiftwork-query";

    private final RedshiftDataClient data;
    private final QueriesConfig config;
    private final MeterRegistry metrics;
    private final Clock clock;

    public ReadSweep(RedshiftDataClient data, QueriesConfig config, MeterRegistry metrics, Clock clock) {
        this.data = data;
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
    }

    void validate(@Observes StartupEvent ev) {
        check(config);
    }

    /** Stops start-up, naming the key, when the sweep's timer or the timeout it applies cannot work. */
    static void check(QueriesConfig config) {
        io.shiftwork.pipelines.RouteTimers.duration("shiftwork.queries.sweep-interval", config.sweepInterval(), 1);
        if (config.timeout().isNegative() || config.timeout().isZero()) {
            throw new IllegalStateException("shiftwork.queries.timeout must be positive, got " + config.timeout());
        }
    }

    /**
     * One sweep over every consumer in {@code shiftwork.queries.consumers}: the reads it cancelled. A consumer that
     * cannot be listed is logged and skipped (the next sweep tries again); the others are swept all the same.
     */
    public List<ReadSweepPlanner.Cancel> sweep() {
        List<ReadSweepPlanner.Listed> listed = new ArrayList<>();
        List<ReadTarget> targets = config.consumers().orElse(List.of()).stream().filter(s -> !s.isBlank())
                .map(ReadTarget::parse).distinct().toList();
        for (ReadTarget t : targets) {
            try {
                listed.addAll(running(t));
            } catch (SdkException e) {
                LOG.warnf("read sweep: ListStatements on %s failed, swept next time: %s", t, e.getMessage());
            }
        }
        Instant now = clock.instant();
        List<ReadSweepPlanner.Cancel> plan = ReadSweepPlanner.plan(listed, now, config.timeout(), config.secretArn());
        List<ReadSweepPlanner.Cancel> cancelled = new ArrayList<>();
        for (ReadSweepPlanner.Cancel c : plan) {
            if (cancel(c)) {
                cancelled.add(c);
                metrics.counter("shiftwork.queries.swept", "consumer", c.consumer()).increment();
                LOG.infof("read sweep: cancelled routed read %s on %s, running %s (past shiftwork.queries.timeout %s, "
                        + "nobody read it)", c.id(), c.consumer(), c.age(), config.timeout());
            }
        }
        return cancelled;
    }

    /** The statements named shiftwork-query on {@code t} that have not ended, every page of each running status. */
    private List<ReadSweepPlanner.Listed> running(ReadTarget t) {
        List<ReadSweepPlanner.Listed> out = new ArrayList<>();
        for (String status : List.of("SUBMITTED", "PICKED", "STARTED")) {
            String token = null;
            do {
                String next = token;
                ListStatementsResponse page = data.listStatements(b -> b
                        .workgroupName(t.cluster() ? null : t.name())
                        .clusterIdentifier(t.cluster() ? t.name() : null)
                        .statementName(STATEMENT_NAME)
                        .status(status)
                        .roleLevel(true) // every replica's reads (the same IAM role), not this session's only
                        .maxResults(100)
                        .nextToken(next));
                for (StatementData s : page.statements()) {
                    out.add(new ReadSweepPlanner.Listed(s.id(), t.toString(), s.queryString(), s.statusAsString(),
                            s.createdAt(), s.secretArn()));
                }
                token = page.nextToken() == null || page.nextToken().isEmpty() ? null : page.nextToken();
            } while (token != null);
        }
        return out;
    }

    /** CancelStatement; a read that ended or was forgotten meanwhile is not an error: nothing to cancel. */
    private boolean cancel(ReadSweepPlanner.Cancel c) {
        try {
            return Boolean.TRUE.equals(data.cancelStatement(b -> b.id(c.id())).status());
        } catch (ValidationException | ResourceNotFoundException e) {
            LOG.debugf("read sweep: %s on %s ended before its cancel: %s", c.id(), c.consumer(), e.getMessage());
            return false;
        } catch (SdkException e) {
            // throttled or unreachable: the next sweep lists it again; the other reads are cancelled all the same
            LOG.warnf("read sweep: CancelStatement of %s on %s failed, retried next sweep: %s", c.id(), c.consumer(),
                    e.getMessage());
            return false;
        }
    }
}
