package io.shiftwork.statements;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Reads Data API completion events from SQS. A message that is not such an event, names a statement that is not
 * Shiftwork's, or a statement id that is not the one recorded for its name, goes to the dead-letter queue with the
 * reason (thrown as {@link RejectedEvent}, moved there by the route's dead-letter handling) and is counted; the
 * consumer never stops. The engine confirms every completion with DescribeStatement.
 */
@ApplicationScoped
@Named("statementEvents")
@RegisterForReflection
public class StatementEvents {

    private final StatementEngine engine;
    private final MeterRegistry metrics;
    private final ObjectMapper json;

    public StatementEvents(StatementEngine engine, MeterRegistry metrics, ObjectMapper json) {
        this.engine = engine;
        this.metrics = metrics;
        this.json = json;
    }

    public void handle(String body) {
        JsonNode event;
        try {
            event = json.readTree(body);
        } catch (Exception e) {
            reject(body, "malformed: not JSON");
            return;
        }
        if (event == null || !"aws.redshift-data".equals(event.path("source").asText())
                || !"Redshift Data Statement Status Change".equals(event.path("detail-type").asText())) {
            reject(body, "foreign: not a Redshift Data API statement event");
            return;
        }
        JsonNode d = event.path("detail");
        String name = d.path("statementName").asText(null);
        String id = d.path("statementId").asText(null);
        String state = d.path("state").asText(null);
        if (id == null || state == null || !(state.equals("FINISHED") || state.equals("FAILED") || state.equals("ABORTED"))) {
            reject(body, "malformed: detail lacks statementId or a final state");
            return;
        }
        if (StatementNames.parse(name).isEmpty()) {
            reject(body, "foreign: statement '" + name + "' is not Shiftwork's");
            return;
        }
        if (engine.completeFromEvent(name, id, state, d.path("rows").asLong(0)) == StatementEngine.EventVerdict.FORGED) {
            reject(body, "forged: statement id " + id + " is not the one recorded for '" + name + "'");
        }
    }

    /** Counts the rejection and throws it: the route's dead-letter handling moves the message to the DLQ. */
    private void reject(String body, String reason) {
        metrics.counter("shiftwork.statements.events.rejected", "reason", reason.substring(0, reason.indexOf(':')))
                .increment();
        throw new RejectedEvent(reason);
    }

    /**
     * A message that is not a completion Shiftwork may apply: malformed, foreign or forged. The
     * {@code redshift-data-events} route's {@code onException} sends it to the dead-letter queue with the reason.
     */
    public static final class RejectedEvent extends RuntimeException {
        public RejectedEvent(String reason) {
            super(reason, null, false, false);
        }
    }
}
