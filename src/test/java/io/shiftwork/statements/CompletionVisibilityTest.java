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
 * outlasts the visibility timeout (its next ExecuteStatement waits for the replica's share of the quota), and the
 * event is still received once.
 */
@QuarkusTest
@TestProfile(CompletionVisibilityTest.SlowApply.class)
@QuarkusTestResource(value = LocalAwsTestResource.class, restrictToAnnotatedClass = true)
class CompletionVisibilityTest {

    /** Visibility 2 s; one ExecuteStatement per 5 s, so applying the first step's completion takes about 5 s. */
    public static class SlowApply implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("shiftwork.statements.visibility-timeout", "PT2S",
                    "shiftwork.statements.execute-rate", "0.2",
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
    StatementsConfig config;

    @Test
    void anEventIsReceivedOnceWhileItsApplyOutlastsTheVisibilityTimeout() {
        assertEquals(Duration.ofSeconds(2), config.visibilityTimeout(), "the profile's visibility took effect");
        String queueUrl = sqs.getQueueUrl(b -> b.queueName(config.queue())).queueUrl();
        assertEquals("2", sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNamesWithStrings("VisibilityTimeout"))
                .attributesAsStrings().get("VisibilityTimeout"), "the queue's own visibility is the configured one");
        new RedshiftSql(data, "shiftwork-test").runFiles("stored-procedures");
        double duplicates = counter("shiftwork.statements.completions.duplicate");
        double events = counter("shiftwork.statements.completions", "source", "event");

        long started = System.nanoTime();
        String runId = given().contentType(ContentType.JSON).body("{\"event_message\": \"slow apply\"}")
                .post("/pipelines/stored-procedures/runs").then().statusCode(202).extract().path("runId");
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100))
                .until(() -> "SUCCEEDED".equals(given().get("/runs/" + runId).path("status")));
        assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() >= 4, "the apply outlasted the visibility");

        assertEquals(events + 2, counter("shiftwork.statements.completions", "source", "event"), "both steps by their events");
        assertEquals(duplicates, counter("shiftwork.statements.completions.duplicate"),
                "no event delivered a second time while its apply was running");
        String dlqUrl = sqs.getQueueUrl(b -> b.queueName(config.deadLetterQueue())).queueUrl();
        assertTrue(sqs.receiveMessage(b -> b.queueUrl(dlqUrl).waitTimeSeconds(1)).messages().isEmpty());
    }

    private double counter(String name, String... tags) {
        return metrics.find(name).tags(tags).counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
