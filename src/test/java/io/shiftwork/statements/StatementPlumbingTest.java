package io.shiftwork.statements;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.shiftwork.Emulators;
import io.shiftwork.LocalAwsTestResource;
import io.shiftwork.RedshiftSql;
import io.shiftwork.aws.AwsConfig;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;

/**
 * The statement engine's plumbing against moto + the local Redshift: one retry policy (the SDK's adaptive mode) under
 * the emulator's throttling.
 */
@QuarkusTest
@TestProfile(StatementPlumbingTest.ShortRecovery.class)
@QuarkusTestResource(value = LocalAwsTestResource.class, restrictToAnnotatedClass = true)
class StatementPlumbingTest {

    static final Duration RECOVERY = Duration.ofSeconds(3);

    /** Recovery every 3 s, so three intervals fit in a test. */
    public static class ShortRecovery implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("shiftwork.statements.recovery-interval", RECOVERY.toString(),
                    "shiftwork.statements.poller-interval", "PT0.2S",
                    "shiftwork.statements.event-timeout", "PT5S");
        }
    }

    @Inject
    RedshiftDataClient data;
    @Inject
    DynamoDbClient dynamo;
    @Inject
    StatementsConfig config;
    @Inject
    AwsConfig aws;

    Emulators local;
    RedshiftSql redshift;

    @BeforeEach
    void procedures() {
        assertEquals(RECOVERY, config.recoveryInterval(), "the profile's recovery interval took effect");
        redshift = new RedshiftSql(data, "shiftwork-test");
        redshift.runFiles("stored-procedures");
    }

    @Test
    void aSubmitThrottledTwiceThenAcceptedRunsItsStatementExactlyOnce() {
        assertEquals(3, aws.maxAttempts());
        local.throttleNext("ExecuteStatement", 2);
        try {
            String runId = start("stored-procedure", "{\"spname\": \"public.sp_etl_log_etl_event\", \"event_message\": \"throttled twice\"}");
            awaitRun(runId, "SUCCEEDED", Duration.ofSeconds(30));
            String name = StatementNames.of("stored-procedure", runId, "call-procedure", 1);
            assertEquals(3, local.executeRequests(name), "two throttled attempts and the accepted one, all by the SDK");
            assertEquals(1L, rows("throttled twice"), "the statement ran once");
            assertEquals("FINISHED", correlation(name).get("status").s());
        } finally {
            local.throttleNext("ExecuteStatement", 0);
        }
    }

    @Test
    void aSubmitThrottledBeyondTheSdksAttemptsFailsForGoodAndIsNeverSubmittedAgain() throws Exception {
        local.throttleNext("ExecuteStatement", aws.maxAttempts());
        try {
            String runId = start("stored-procedure", "{\"spname\": \"public.sp_etl_log_etl_event\", \"event_message\": \"throttled out\"}");
            JsonPath run = awaitRun(runId, "FAILED", Duration.ofSeconds(60));
            assertTrue(run.getString("error").contains("Rate exceeded"), run.getString("error"));
            String name = StatementNames.of("stored-procedure", runId, "call-procedure", 1);
            assertEquals("FAILED", correlation(name).get("status").s());
            assertEquals(aws.maxAttempts(), local.executeRequests(name), "the SDK's attempts, no loop around them");

            // throttling is over: a re-submit now would run the procedure
            Thread.sleep(RECOVERY.multipliedBy(3).plusSeconds(1).toMillis());
            assertEquals(aws.maxAttempts(), local.executeRequests(name), "never submitted again across three recovery intervals");
            assertEquals(0L, rows("throttled out"));
            assertEquals("FAILED", correlation(name).get("status").s());
        } finally {
            local.throttleNext("ExecuteStatement", 0);
        }
    }

    private long rows(String message) {
        return redshift.query("select count(*) from public.etl_events where message = '" + message + "'").get(0).get(0)
                .longValue();
    }

    private Map<String, AttributeValue> correlation(String statementName) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(config.table()).consistentRead(true)
                .key(Map.of("statementName", AttributeValue.fromS(statementName)))).item();
        return item == null || item.isEmpty() ? null : item;
    }

    private static String start(String pipeline, String body) {
        return given().contentType(ContentType.JSON).body(body).post("/pipelines/" + pipeline + "/runs")
                .then().statusCode(202).extract().path("runId");
    }

    private static JsonPath awaitRun(String runId, String status, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(100))
                .until(() -> status.equals(given().get("/runs/" + runId).path("status")));
        return given().get("/runs/" + runId).jsonPath();
    }
}
