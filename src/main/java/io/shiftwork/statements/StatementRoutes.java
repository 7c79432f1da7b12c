package io.shiftwork.statements;

import jakarta.inject.Inject;

import org.apache.camel.builder.PredicateBuilder;
import org.apache.camel.builder.RouteBuilder;

/** The statement engine's machinery: statement steps, step sequences, completion events and the poller. */
@jakarta.enterprise.context.ApplicationScoped
public class StatementRoutes extends RouteBuilder {

    static final String EVENTS_ROUTE = "redshift-data-events";
    static final String POLLER_ROUTE = "statement-poller";

    @Inject
    StatementsConfig config;

    /** SQS's visibility timeout in whole seconds (1 s to 12 h). */
    static int visibilitySeconds(StatementsConfig config) {
        return (int) Math.min(43_200, Math.max(1, config.visibilityTimeout().toSeconds()));
    }

    @Override
    public void configure() {
        from("direct:redshift-statement").routeId("redshift-statement")
                .description("Submits a step's SQL through the Data API and leaves the step waiting for Redshift")
                .bean("statementEngine", "submit");

        from("direct:shiftwork-sequence").routeId("shiftwork-sequence")
                .description("Runs the steps named in header shiftworkSteps in order, across statement waits")
                .bean("stepSequence", "start");

        // Started after bootstrap (StatementsBootstrap): the queue must exist before the consumer looks it up.
        from("aws2-sqs://{{shiftwork.statements.queue}}?autoCreateQueue=false&deleteAfterRead=true"
                + "&waitTimeSeconds={{shiftwork.statements.receive-wait-seconds}}"
                + "&maxMessagesPerPoll={{shiftwork.statements.receive-max-messages}}"
                + "&concurrentConsumers={{shiftwork.statements.consumers}}"
                // invisible while applied however long that takes: extended every half of it
                + "&visibilityTimeout=" + visibilitySeconds(config) + "&extendMessageVisibility=true")
                .routeId(EVENTS_ROUTE).autoStartup(false)
                .description("Applies Data API completion events arriving from EventBridge through SQS")
                // malformed, foreign and forged messages: to the dead-letter queue with the reason, consumed here
                .onException(StatementEvents.RejectedEvent.class).handled(true)
                    .setHeader("reason", simple("${exception.message}"))
                    .filter(PredicateBuilder.or(body().isNull(), body().isEqualTo("")))
                        .setBody(constant("(empty)"))
                    .end()
                    // resolved at the first rejection, after bootstrap created the queue
                    .toD("aws2-sqs://{{shiftwork.statements.dead-letter-queue}}?autoCreateQueue=false")
                .end()
                .bean("statementEvents", "handle(${body})");

        from("timer:statement-poller?delay=1000&period=" + config.pollerInterval().toMillis())
                .routeId(POLLER_ROUTE).autoStartup(false)
                .description("Describes statements whose completion event is overdue (all of them with events off)")
                .bean("statementEngine", "pollDue");
    }
}
