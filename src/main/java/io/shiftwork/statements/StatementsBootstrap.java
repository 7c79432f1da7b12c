package io.shiftwork.statements;

import java.util.Map;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.camel.CamelContext;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.runtime.StartupEvent;
import io.shiftwork.pipelines.Bootstrap;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Creates what the statement engine needs — correlation table; with events: DLQ, queue with its redrive and
 * access policies, EventBridge rule and target — and then starts the event consumer.
 */
@ApplicationScoped
public class StatementsBootstrap implements Bootstrap.Step {

    /** Only Shiftwork's own statements: other applications' events never reach the queue (nor its DLQ). */
    static final String EVENT_PATTERN = "{\"source\":[\"aws.redshift-data\"],"
            + "\"detail-type\":[\"Redshift Data Statement Status Change\"],"
            + "\"detail\":{\"statementName\":[{\"prefix\":\"" + StatementNames.PREFIX + "\"}]}}";

    private final Correlations correlations;
    private final StatementsConfig config;
    private final SqsClient sqs;
    private final EventBridgeClient events;
    private final ObjectMapper json;

    public StatementsBootstrap(Correlations correlations, StatementsConfig config, SqsClient sqs, EventBridgeClient events,
            ObjectMapper json) {
        this.correlations = correlations;
        this.config = config;
        this.sqs = sqs;
        this.events = events;
        this.json = json;
    }

    @Override
    public void bootstrap() {
        correlations.createTable();
        if (!config.events()) {
            return;
        }
        String dlqUrl = sqs.createQueue(b -> b.queueName(config.deadLetterQueue())).queueUrl();
        String dlqArn = arn(dlqUrl);
        String url = sqs.createQueue(b -> b.queueName(config.queue())).queueUrl();
        String queueArn = arn(url);
        String ruleArn = events.putRule(b -> b.name(config.rule()).eventPattern(EVENT_PATTERN)
                .description("Redshift Data API statement completions for Shiftwork")).ruleArn();
        ObjectNode policy = json.createObjectNode();
        policy.put("Version", "2012-10-17");
        ObjectNode allow = policy.putArray("Statement").addObject();
        allow.put("Sid", "EventBridgeSendsCompletions");
        allow.put("Effect", "Allow");
        allow.putObject("Principal").put("Service", "events.amazonaws.com");
        allow.put("Action", "sqs:SendMessage");
        allow.put("Resource", queueArn);
        allow.putObject("Condition").putObject("ArnEquals").put("aws:SourceArn", ruleArn);
        sqs.setQueueAttributes(b -> b.queueUrl(url).attributes(Map.of(
                QueueAttributeName.POLICY, policy.toString(),
                QueueAttributeName.REDRIVE_POLICY, "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"5\"}",
                // the consumer receives with the same and extends it while it applies (StatementRoutes)
                QueueAttributeName.VISIBILITY_TIMEOUT, Long.toString(StatementRoutes.visibilitySeconds(config)))));
        events.putTargets(b -> b.rule(config.rule()).targets(t -> t.id("shiftwork-statements").arn(queueArn)));
    }

    private String arn(String queueUrl) {
        return sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
    }

    /** Before the bootstrap (priority 10): settings SQS or the engine cannot work with stop start-up naming the key. */
    void validate(@Observes @Priority(5) StartupEvent ev) {
        StatementsConfig.check(config);
    }

    /** After bootstrap (priority 10), once the tables and queues exist: poll, and consume completion events. */
    void startConsumer(@Observes @Priority(20) StartupEvent ev, CamelContext camel) throws Exception {
        camel.getRouteController().startRoute(StatementRoutes.POLLER_ROUTE);
        if (config.events()) {
            camel.getRouteController().startRoute(StatementRoutes.EVENTS_ROUTE);
        }
    }
}
