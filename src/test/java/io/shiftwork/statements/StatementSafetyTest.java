package io.shiftwork.statements;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.shiftwork.Emulators;
import io.shiftwork.LocalAwsTestResource;
import io.shiftwork.RedshiftSql;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.redshiftdata.model.StatusString;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * What the statement engine must never do, against moto + the local Redshift: submit again a statement whose submit
 * was refused, let statements that keep failing starve other runs, apply a completion Redshift did not confirm, or
 * take in other applications' statement events.
 */
@QuarkusTest
@TestProfile(StatementSafetyTest.ShortRecovery.class)
@QuarkusTestResource(value = LocalAwsTestResource.class, restrictToAnnotatedClass = true)
class StatementSafetyTest {

    static final Duration RECOVERY = Duration.ofSeconds(3);

    /** Recovery every 3 s, so three intervals fit in a test. */
    public static class ShortRecovery implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("shiftwork.statements.recovery-interval", RECOVERY.toString(),
                    "shiftwork.statements.poller-interval", "PT0.2S",
                    "shiftwork.statements.event-timeout", "PT5S",
                    // this test's own procedures, besides the sample (the allowlist is what a run may CALL)
                    "shiftwork.stored-procedures.allowed", "public.sp_etl_log_etl_event,public.sp_good,public.sp_hangs,public.sp_poison");
        }
    }

    @Inject
    RedshiftDataClient data;
    @Inject
    DynamoDbClient dynamo;
    @Inject
    SqsClient sqs;
    @Inject
    MeterRegistry metrics;
    @Inject
    StatementsConfig config;
    @Inject
    org.apache.camel.CamelContext camel;

    Emulators local;
    RedshiftSql redshift;

    @BeforeEach
    void procedures() {
        assertEquals(RECOVERY, config.recoveryInterval(), "the profile's recovery interval took effect");
        redshift = new RedshiftSql(data, "shiftwork-test");
        redshift.runFiles("stored-procedures");
        redshift.run("CREATE OR REPLACE PROCEDURE public.sp_good(p_message varchar(256)) AS $$ "
                + "BEGIN INSERT INTO public.etl_events(event_time, message) VALUES (getdate(), p_message); END; $$ LANGUAGE plpgsql");
        redshift.run("CREATE OR REPLACE PROCEDURE public.sp_hangs(p_message varchar(256)) AS $$ "
                + "BEGIN INSERT INTO public.etl_events(event_time, message) VALUES (getdate(), p_message); END; $$ LANGUAGE plpgsql");
    }

    @Test
    void aRefusedSubmitFailsItsRunOnceAndIsNeverSubmittedAgain() throws Exception {
        awaitRun(start("etl-setup", "{}"), "SUCCEEDED", Duration.ofSeconds(60));
        long rowsBefore = taxiRows();
        local.refuse("CALL public\\.execute_elt_process", "ActiveStatementsExceededException", 1);
        String runId = start("etl-unload-notify", "{}");
        JsonPath run = awaitRun(runId, "FAILED", Duration.ofSeconds(20));
        assertTrue(run.getString("error").contains("ActiveStatementsExceeded"), run.getString("error"));
        assertEquals(List.of("run-elt-process"), run.getList("steps.name"), "the chain stopped at its first step");
        String name = StatementNames.of("etl-unload-notify", runId, "run-elt-process", 1);
        assertEquals("FAILED", correlation(name).get("status").s());

        // the refusal was for one submit only: a second ExecuteStatement would run the ELT
        Thread.sleep(RECOVERY.multipliedBy(3).plusSeconds(1).toMillis());
        assertEquals(1, local.executeRequests(name), "exactly one ExecuteStatement across three recovery intervals");
        assertEquals(rowsBefore, taxiRows(), "the ETL table is untouched");
        assertEquals("FAILED", correlation(name).get("status").s());
        assertEquals("FAILED", given().get("/runs/" + runId).path("status"));
        assertEquals(1, given().get("/runs/" + runId).jsonPath().getList("steps").size(), "no step after the failure");
    }

    @Test
    void statementsThatKeepFailingDoNotStarveAGoodRun() throws Exception {
        // 30 runs whose submits never get an answer (HTTP 500: the outcome is unknown), and one whose first submit
        // does not either but whose retry will
        local.refuse("sp_poison", "InternalServerException", -1);
        local.refuse("sp_good", "InternalServerException", -1);
        try {
            // no recovery pass while the 31 first submits fail (one attempt each), so the order below is the one set
            camel.getRouteController().stopRoute(StatementRoutes.POLLER_ROUTE);
            List<String> poison = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                poison.add(start("stored-procedure", "{\"spname\": \"public.sp_poison\", \"event_message\": \"p" + i + "\"}"));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> poison.stream().allMatch(id -> attempts(
                    StatementNames.of("stored-procedure", id, "call-procedure", 1)) >= 1));
            String good = start("stored-procedure", "{\"spname\": \"public.sp_good\", \"event_message\": \"good\"}");
            String goodName = StatementNames.of("stored-procedure", good, "call-procedure", 1);
            await().atMost(Duration.ofSeconds(20)).until(() -> attempts(goodName) >= 1);
            assertEquals("WAITING", given().get("/runs/" + good).path("status"), "an unknown outcome does not fail the run");
            local.disarm("sp_good");

            // all due now, the 30 poison items first: the old recovery (the oldest 25, every time) never got past them
            long now = System.currentTimeMillis();
            for (int i = 0; i < poison.size(); i++) {
                dueAt(StatementNames.of("stored-procedure", poison.get(i), "call-procedure", 1), now - 60_000 + i);
            }
            dueAt(goodName, now - 1_000);
            assertEquals(1, attempts(goodName));
            long started = System.currentTimeMillis();
            camel.getRouteController().startRoute(StatementRoutes.POLLER_ROUTE);
            // two intervals, and time for the passes (each poison submit waits out the SDK's retries) and the event
            Duration budget = RECOVERY.multipliedBy(2).plusSeconds(4);
            await().atMost(budget).pollInterval(Duration.ofMillis(100))
                    .until(() -> "SUCCEEDED".equals(given().get("/runs/" + good).path("status")));
            System.out.printf("good run SUCCEEDED %d ms after recovery resumed with it and 30 poison items due "
                    + "(recovery interval %s)%n", System.currentTimeMillis() - started, RECOVERY);
            assertEquals(1L, redshift.query("select count(*) from public.etl_events where message = 'good'").get(0).get(0).longValue(),
                    "the good procedure ran once");
            assertTrue(local.executeRequests(goodName) > 1, "submitted again after the unknown outcome");
            // the poison runs still wait, each with its own attempts and backoff
            assertEquals("WAITING", given().get("/runs/" + poison.get(29)).path("status"));
        } finally {
            local.disarm("sp_poison");
            local.disarm("sp_good");
            if (!camel.getRouteController().getRouteStatus(StatementRoutes.POLLER_ROUTE).isStarted()) {
                camel.getRouteController().startRoute(StatementRoutes.POLLER_ROUTE);
            }
        }
    }

    @Test
    void aForgedFinishedEventWithTheRealIdOfAHungStatementLeavesTheRunWaiting() throws Exception {
        local.fault("hang", "sp_hangs", null, 0);
        String runId = start("stored-procedure", "{\"spname\": \"public.sp_hangs\", \"event_message\": \"hung\"}");
        await().atMost(Duration.ofSeconds(10)).until(() -> given().get("/runs/" + runId).path("steps[0].awsIds.statementId") != null);
        String statementId = given().get("/runs/" + runId).path("steps[0].awsIds.statementId");
        String name = StatementNames.of("stored-procedure", runId, "call-procedure", 1);
        double unconfirmed = counter("shiftwork.statements.completions.unconfirmed");

        String queueUrl = sqs.getQueueUrl(b -> b.queueName(config.queue())).queueUrl();
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(event(name, statementId, "FINISHED")));
        await().atMost(Duration.ofSeconds(10)).until(() -> counter("shiftwork.statements.completions.unconfirmed") > unconfirmed);
        Thread.sleep(500);
        assertEquals("WAITING", given().get("/runs/" + runId).path("status"), "Redshift says STARTED: not applied");
        assertEquals("WAITING", correlation(name).get("status").s());
        assertEquals(StatusString.STARTED, data.describeStatement(b -> b.id(statementId)).status());

        // the real end comes through: cancelled, the event is confirmed ABORTED and fails the run
        data.cancelStatement(b -> b.id(statementId));
        JsonPath run = awaitRun(runId, "FAILED", Duration.ofSeconds(20));
        assertEquals("FAILED", run.getString("steps[0].status"));
        assertEquals("ABORTED", correlation(name).get("status").s());
    }

    @Test
    void aForeignStatementWithEventsLeavesTheQueueAndTheDeadLetterQueueEmpty() {
        double foreign = counter("shiftwork.statements.events.rejected", "reason", "foreign");
        String otherApp = "other-app/nightly-load/1";
        String id = data.executeStatement(b -> b.clusterIdentifier("shiftwork-test").database("dev").dbUser("awsuser")
                .sql("select 1").statementName(otherApp).withEvent(true)).id();
        await().atMost(Duration.ofSeconds(10)).until(() -> data.describeStatement(b -> b.id(id)).status() == StatusString.FINISHED);
        // a run of Shiftwork's after it completes by its event: the rule does route Shiftwork's own
        String runId = start("stored-procedure", "{\"spname\": \"public.sp_good\", \"event_message\": \"after foreign\"}");
        awaitRun(runId, "SUCCEEDED", Duration.ofSeconds(20));
        String dlqUrl = sqs.getQueueUrl(b -> b.queueName(config.deadLetterQueue())).queueUrl();
        List<Message> dead = sqs.receiveMessage(b -> b.queueUrl(dlqUrl).maxNumberOfMessages(10).waitTimeSeconds(1)).messages();
        assertTrue(dead.stream().noneMatch(m -> m.body().contains(otherApp)), "nothing of the other application's in the DLQ");
        assertEquals(foreign, counter("shiftwork.statements.events.rejected", "reason", "foreign"), "no foreign event consumed");
        String queueUrl = sqs.getQueueUrl(b -> b.queueName(config.queue())).queueUrl();
        assertEquals("0", sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNamesWithStrings("ApproximateNumberOfMessages"))
                .attributesAsStrings().get("ApproximateNumberOfMessages"));
    }

    @Test
    void cancellingAWaitingRunCancelsItsStatementAndItsAbortedEventIsConsumedOnce() {
        local.fault("hang", "sp_hangs", null, 0);
        String runId = start("stored-procedure", "{\"spname\": \"public.sp_hangs\", \"event_message\": \"to cancel\"}");
        await().atMost(Duration.ofSeconds(10)).until(() -> given().get("/runs/" + runId).path("steps[0].awsIds.statementId") != null);
        String statementId = given().get("/runs/" + runId).path("steps[0].awsIds.statementId");
        String name = StatementNames.of("stored-procedure", runId, "call-procedure", 1);
        double aborted = counter("shiftwork.statements.completions", "state", "ABORTED");

        given().post("/runs/" + runId + "/cancel").then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("CANCELLED"))
                .body("steps[0].status", org.hamcrest.Matchers.equalTo("CANCELLED"));
        await().atMost(Duration.ofSeconds(10)).until(() -> data.describeStatement(b -> b.id(statementId)).status() == StatusString.ABORTED);
        await().atMost(Duration.ofSeconds(10)).until(() -> "ABORTED".equals(correlation(name).get("status").s()));
        assertEquals(aborted + 1, counter("shiftwork.statements.completions", "state", "ABORTED"), "the ABORTED event applied once");
        JsonPath run = given().get("/runs/" + runId).jsonPath();
        assertEquals("CANCELLED", run.getString("status"), "its ABORTED completion changed nothing");
        assertEquals(1, run.getList("steps").size());

        given().post("/runs/" + runId + "/cancel").then().statusCode(409)
                .body("error", org.hamcrest.Matchers.equalTo("run_ended"))
                .body("message", org.hamcrest.Matchers.containsString("CANCELLED"));
        given().post("/runs/no-such-run/cancel").then().statusCode(404);
    }

    @Test
    void cancellingARunThatEndedAnswers409() {
        String runId = start("stored-procedure", "{\"spname\": \"public.sp_good\", \"event_message\": \"done before\"}");
        awaitRun(runId, "SUCCEEDED", Duration.ofSeconds(20));
        given().post("/runs/" + runId + "/cancel").then().statusCode(409)
                .body("error", org.hamcrest.Matchers.equalTo("run_ended"))
                .body("message", org.hamcrest.Matchers.containsString("SUCCEEDED"));
        assertEquals("SUCCEEDED", given().get("/runs/" + runId).path("status"));
    }

    @Test
    void aCancelRacingTheFinishedOfAStepLeavesOneTerminalStateAndNoNextStep() throws Exception {
        camel.getRouteController().stopRoute(StatementRoutes.EVENTS_ROUTE);
        camel.getRouteController().stopRoute(StatementRoutes.POLLER_ROUTE);
        try {
            String runId = start("stored-procedures", "{\"event_message\": \"race\"}");
            String first = StatementNames.of("stored-procedures", runId, "log-started", 1);
            String second = StatementNames.of("stored-procedures", runId, "log-finished", 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> given().get("/runs/" + runId).path("steps[0].awsIds.statementId") != null);
            String firstId = given().get("/runs/" + runId).path("steps[0].awsIds.statementId");
            await().atMost(Duration.ofSeconds(10)).until(() -> data.describeStatement(b -> b.id(firstId)).status() == StatusString.FINISHED);
            // Redshift says FINISHED, its event is queued, not applied yet: the cancel comes in between
            given().post("/runs/" + runId + "/cancel").then().statusCode(200).body("status", org.hamcrest.Matchers.equalTo("CANCELLED"));
            camel.getRouteController().startRoute(StatementRoutes.EVENTS_ROUTE);
            camel.getRouteController().startRoute(StatementRoutes.POLLER_ROUTE);
            await().atMost(Duration.ofSeconds(15)).until(() -> "FINISHED".equals(correlation(first).get("status").s()));
            Thread.sleep(500);
            JsonPath run = given().get("/runs/" + runId).jsonPath();
            assertEquals("CANCELLED", run.getString("status"), "one terminal state");
            assertEquals(List.of("log-started"), run.getList("steps.name"), "no next step");
            assertEquals(0, local.executeRequests(second), "the next statement was never submitted");
            assertEquals(0L, redshift.query("select count(*) from public.etl_events where message = 'race finished'")
                    .get(0).get(0).longValue());
        } finally {
            for (String route : List.of(StatementRoutes.EVENTS_ROUTE, StatementRoutes.POLLER_ROUTE)) {
                if (!camel.getRouteController().getRouteStatus(route).isStarted()) {
                    camel.getRouteController().startRoute(route);
                }
            }
        }
    }

    /** Makes a SUBMITTING correlation due at {@code atMs}. */
    private void dueAt(String statementName, long atMs) {
        try {
            dynamo.updateItem(b -> b.tableName(config.table()).key(Map.of("statementName", AttributeValue.fromS(statementName)))
                    .updateExpression("SET nextPollAt = :p").conditionExpression("#s = :sub")
                    .expressionAttributeNames(Map.of("#s", "status"))
                    .expressionAttributeValues(Map.of(":p", AttributeValue.fromN(Long.toString(atMs)),
                            ":sub", AttributeValue.fromS("SUBMITTING"))));
        } catch (software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException moved) {
            throw new AssertionError(statementName + " is no longer SUBMITTING");
        }
    }

    private long taxiRows() {
        return redshift.query("select count(*) from public.nyc_yellow_taxi").get(0).get(0).longValue();
    }

    private int attempts(String statementName) {
        Map<String, AttributeValue> c = correlation(statementName);
        return c == null || !c.containsKey("attempts") ? 0 : Integer.parseInt(c.get("attempts").n());
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

    private static String event(String statementName, String statementId, String state) {
        return "{\"version\":\"0\",\"source\":\"aws.redshift-data\",\"detail-type\":\"Redshift Data Statement Status Change\","
                + "\"detail\":{\"principal\":\"arn:aws:iam::123456789012:user/awsuser\",\"statementName\":\"" + statementName
                + "\",\"statementId\":\"" + statementId + "\",\"redshiftQueryId\":1,\"state\":\"" + state
                + "\",\"rows\":1,\"expireAt\":1}}";
    }

    private double counter(String name, String... tags) {
        return metrics.find(name).tags(tags).counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
