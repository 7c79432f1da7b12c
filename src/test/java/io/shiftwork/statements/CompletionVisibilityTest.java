package io.shiftwork.statements;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.shiftwork.LocalAwsTestResource;
import io.shiftwork.RedshiftSql;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A completion event stays invisible for as long as it is being applied, however long that takes: the apply here
 * outlasts the visibility timeout (its next ExecuteStatement waits for the replica's share of the quota), and
 * another consumer looking at the queue meanwhile never sees the event; it is received once.
 */
@QuarkusTest
@TestProfile(CompletionVisibilityTest.SlowApply.class)
@QuarkusTestResource(value = LocalAwsTestResource.class, restrictToAnnotatedClass = true)
class CompletionVisibilityTest {

    /** Visibility 4 s; one ExecuteStatement per 10 s, so applying the first step's completion takes about 10 s. */
    public static class SlowApply implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("shiftwork.statements.visibility-timeout", "PT4S",
                    "shiftwork.statements.execute-rate", "0.1",
                    "shiftwork.statements.event-timeout", "PT60S");
        }
    }

    @Inject
    RedshiftDataClient data;
    @Inject
    SqsClient sqs;
    @Inject
    MeterRegistry metrics;
    @Inject
    software.amazon.awssdk.services.dynamodb.DynamoDbClient dynamo;
    @Inject
    StatementsConfig config;

    @Test
    void anEventIsReceivedOnceWhileItsApplyOutlastsTheVisibilityTimeout() {
        assertEquals(Duration.ofSeconds(4), config.visibilityTimeout(), "the profile's visibility took effect");
        String queueUrl = sqs.getQueueUrl(b -> b.queueName(config.queue())).queueUrl();
        assertEquals("4", sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNamesWithStrings("VisibilityTimeout"))
                .attributesAsStrings().get("VisibilityTimeout"), "the queue's own visibility is the configured one");
        new RedshiftSql(data, "shiftwork-test").runFiles("stored-procedures");
        double duplicates = counter("shiftwork.statements.completions.duplicate");
        double events = counter("shiftwork.statements.completions", "source", "event");

        long started = System.nanoTime();
        String runId = given().contentType(ContentType.JSON).body("{\"event_message\": \"slow apply\"}")
                .post("/pipelines/stored-procedures/runs").then().statusCode(202).extract().path("runId");
        // while the first step's completion is applied (its claim held, the next statement not submitted yet), look at
        // the queue as another replica would: the event must stay invisible. A look with VisibilityTimeout 0 leaves it
        // where it is for the consumer.
        String first = StatementNames.of("stored-procedures", runId, "log-started", 1);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> "APPLYING".equals(status(first)));
        int seen = 0;
        int looks = 0;
        while ("APPLYING".equals(status(first))) {
            looks++;
            // the next step's own event may come while the claim is being closed: only the one being applied counts
            seen += (int) sqs.receiveMessage(b -> b.queueUrl(queueUrl).visibilityTimeout(0).waitTimeSeconds(1)).messages()
                    .stream().filter(m -> m.body().contains(first)).count();
        }
        assertTrue(looks >= 4, "the apply outlasted the visibility timeout (" + looks + " one-second looks)");
        assertEquals(0, seen, "the event being applied never became visible to another consumer");
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100))
                .until(() -> "SUCCEEDED".equals(given().get("/runs/" + runId).path("status")));
        assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() >= 8, "the apply outlasted the visibility");

        assertEquals(events + 2, counter("shiftwork.statements.completions", "source", "event"), "both steps by their events");
        assertEquals(duplicates, counter("shiftwork.statements.completions.duplicate"),
                "no event delivered a second time while its apply was running");
        String dlqUrl = sqs.getQueueUrl(b -> b.queueName(config.deadLetterQueue())).queueUrl();
        assertTrue(sqs.receiveMessage(b -> b.queueUrl(dlqUrl).waitTimeSeconds(1)).messages().isEmpty());
    }

    private String status(String statementName) {
        var item = dynamo.getItem(b -> b.tableName(config.table()).consistentRead(true)
                .key(Map.of("statementName", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(statementName))))
                .item();
        return item == null || item.isEmpty() ? null : item.get("status").s();
    }

    private double counter(String name, String... tags) {
        return metrics.find(name).tags(tags).counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
