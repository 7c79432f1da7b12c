package io.shiftwork.statements;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;

/**
 * The statement engine's plumbing against moto + the local Redshift: one retry policy (the SDK's adaptive mode) under
 * the emulator's throttling; the correlation table's status index sharded and sparse.
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
                    "shiftwork.statements.event-timeout", "PT5S",
                    "shiftwork.statements.index-shards", "4",
                    "shiftwork.stored-procedures.allowed", "public.sp_etl_log_etl_event,public.sp_hangs");
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
    @Inject
    Correlations correlations;
    @Inject
    org.apache.camel.CamelContext camel;

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

    @Test
    void theStatusIndexIsShardedAndHoldsOnlyCorrelationsThatAreNotTerminal() {
        assertEquals(4, config.indexShards(), "the profile's shards took effect");
        TableDescription table = dynamo.describeTable(b -> b.tableName(config.table())).table();
        assertEquals(List.of("statusShard", "nextPollAt"), table.globalSecondaryIndexes().stream()
                .filter(i -> i.indexName().equals(Correlations.BY_STATUS)).findFirst().orElseThrow().keySchema().stream()
                .map(k -> k.attributeName()).toList());

        redshift.run("CREATE OR REPLACE PROCEDURE public.sp_hangs(p_message varchar(256)) AS $$ "
                + "BEGIN INSERT INTO public.etl_events(event_time, message) VALUES (getdate(), p_message); END; $$ LANGUAGE plpgsql");
        local.fault("hang", "sp_hangs", null, 0);
        String done = start("stored-procedure", "{\"spname\": \"public.sp_etl_log_etl_event\", \"event_message\": \"indexed\"}");
        String hung = start("stored-procedure", "{\"spname\": \"public.sp_hangs\", \"event_message\": \"hangs\"}");
        awaitRun(done, "SUCCEEDED", Duration.ofSeconds(30));
        String doneName = StatementNames.of("stored-procedure", done, "call-procedure", 1);
        String hungName = StatementNames.of("stored-procedure", hung, "call-procedure", 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> "WAITING".equals(correlation(hungName).get("status").s()));

        Map<String, String> indexed = indexed();
        assertFalse(indexed.containsKey(doneName), "a FINISHED correlation is not in the index");
        assertFalse(correlation(doneName).containsKey("statusShard"));
        assertEquals("FINISHED", correlation(doneName).get("status").s(), "the item itself stays (TTL)");
        assertTrue(indexed.get(hungName).matches("WAITING#[0-3]"), indexed.get(hungName));
        assertEquals(correlations.statusShard(hungName, "WAITING"), indexed.get(hungName));

        given().post("/runs/" + hung + "/cancel").then().statusCode(200);
        await().atMost(Duration.ofSeconds(15)).until(() -> "ABORTED".equals(correlation(hungName).get("status").s()));
        assertFalse(indexed().containsKey(hungName), "an ABORTED correlation leaves the index");
    }

    @Test
    void recoveryAndThePollerFindStatementsInEveryShard() throws Exception {
        // submits whose outcome is unknown (HTTP 500 past the SDK's attempts): SUBMITTING, found again by recovery;
        // without events their completions are found by the poller, WAITING
        camel.getRouteController().stopRoute(StatementRoutes.EVENTS_ROUTE);
        local.refuse("sp_etl_log_etl_event", "InternalServerException", -1);
        try {
            List<String> runs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                runs.add(start("stored-procedure", "{\"spname\": \"public.sp_etl_log_etl_event\", \"event_message\": \"shard " + i + "\"}"));
            }
            List<String> names = runs.stream().map(id -> StatementNames.of("stored-procedure", id, "call-procedure", 1)).toList();
            await().atMost(Duration.ofSeconds(60)).until(() -> names.stream().allMatch(n -> {
                Map<String, AttributeValue> c = correlation(n);
                return c != null && c.containsKey("attempts") && Integer.parseInt(c.get("attempts").n()) >= 1;
            }));
            Map<String, String> indexed = indexed();
            Set<String> shards = new HashSet<>();
            names.forEach(n -> shards.add(indexed.get(n)));
            assertTrue(shards.stream().allMatch(s -> s.startsWith("SUBMITTING#")), shards.toString());
            assertTrue(shards.size() >= 2, "spread over shards: " + shards);

            local.disarm("sp_etl_log_etl_event");
            for (String id : runs) {
                awaitRun(id, "SUCCEEDED", Duration.ofSeconds(60));
            }
            for (int i = 0; i < 8; i++) {
                assertEquals(1L, rows("shard " + i), "each ran once");
            }
            Map<String, String> after = indexed();
            assertTrue(names.stream().noneMatch(after::containsKey), "all finished, none left in the index");
        } finally {
            local.disarm("sp_etl_log_etl_event");
            camel.getRouteController().startRoute(StatementRoutes.EVENTS_ROUTE);
        }
    }

    /** Statement name → statusShard of every item of the sparse index, read by a Scan of the index. */
    private Map<String, String> indexed() {
        Map<String, String> out = new HashMap<>();
        dynamo.scanPaginator(b -> b.tableName(config.table()).indexName(Correlations.BY_STATUS)).items()
                .forEach(i -> out.put(i.get("statementName").s(), i.get("statusShard").s()));
        return out;
    }

    private long rows(String message) {
        return redshift.query("select count(*) from public.etl_events where message = '" + message + "'").get(0).get(0)
                .longValue();
    }

    private Map<String, AttributeValue> correlation(String statementName) {
        return StatementRuns.correlation(dynamo, config.table(), statementName);
    }

    private static String start(String pipeline, String body) {
        return StatementRuns.start(pipeline, body);
    }

    private static JsonPath awaitRun(String runId, String status, Duration atMost) {
        return StatementRuns.awaitRun(runId, status, atMost);
    }
}
