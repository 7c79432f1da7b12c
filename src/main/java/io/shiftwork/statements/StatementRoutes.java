package io.shiftwork.statements;

import jakarta.inject.Inject;

import org.apache.camel.builder.RouteBuilder;

/** The statement engine's machinery: statement steps, step sequences, completion events and the poller. */
@jakarta.enterprise.context.ApplicationScoped
public class StatementRoutes extends RouteBuilder {

    static final String EVENTS_ROUTE = "redshift-data-events";
    static final String POLLER_ROUTE = "statement-poller";

    @Inject
    StatementsConfig config;

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
                + "&concurrentConsumers={{shiftwork.statements.consumers}}")
                .routeId(EVENTS_ROUTE).autoStartup(false)
                .description("Applies Data API completion events arriving from EventBridge through SQS")
                .bean("statementEvents", "handle(${body})");

        from("timer:statement-poller?delay=1000&period=" + config.pollerInterval().toMillis())
                .routeId(POLLER_ROUTE).autoStartup(false)
                .description("Describes statements whose completion event is overdue (all of them with events off)")
                .bean("statementEngine", "pollDue");
    }
}
