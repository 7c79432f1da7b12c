package io.shiftwork.statements;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.apache.camel.CamelContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.shiftwork.LocalAwsTestResource;
import io.shiftwork.RedshiftSql;
import io.shiftwork.Emulators;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Stored-procedure orchestration end to end against moto + the local Redshift: statements submitted through
 * the Data API, completions from EventBridge → SQS events (or polling), runs resumed and finished in DynamoDB.
 */
@QuarkusTest
@TestProfile(StoredProcedureTest.FastPolling.class)
@QuarkusTestResource(value = LocalAwsTestResource.class, restrictToAnnotatedClass = true)
class StoredProcedureTest {

    /** Polling after 1.5 s without an event, so the poll fallback shows within a test. */
    public static class FastPolling implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("shiftwork.statements.event-timeout", "PT1.5S",
                    "shiftwork.statements.poll-initial", "PT0.2S",
                    "shiftwork.statements.poller-interval", "PT0.2S",
                    "shiftwork.statements.recovery-interval", "PT0.5S");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    RedshiftDataClient data;
    @Inject
    SqsClient sqs;
    @Inject
    SnsClient sns;
    @Inject
    EventBridgeClient eventBridge;
    @Inject
    DynamoDbClient dynamo;
    @Inject
    CamelContext camel;
    @Inject
    MeterRegistry metrics;
    @Inject
    StatementsConfig config;
    @Inject
    Correlations correlations;

    Emulators local;
    RedshiftSql redshift;

    @BeforeEach
    void procedures() {
        redshift = new RedshiftSql(data, "shiftwork-test");
        redshift.runFiles("stored-procedures");
        redshift.run("TRUNCATE public.etl_events");
    }

    private static String start(String pipeline, String body) {
        return given().contentType(ContentType.JSON).body(body).post("/pipelines/" + pipeline + "/runs")
                .then().statusCode(202).extract().path("runId");
    }

    private static JsonPath awaitRun(String runId, String status) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> status.equals(given().get("/runs/" + runId).path("status")));
        return given().get("/runs/" + runId).jsonPath();
    }

    private List<String> messages() {
        List<String> out = new ArrayList<>();
        redshift.query("select message from public.etl_events order by event_time, message")
                .forEach(r -> out.add(r.get(0).stringValue()));
        return out;
    }

    private Map<String, AttributeValue> correlation(String statementName) {
        return dynamo.getItem(b -> b.tableName(config.table()).key(Map.of("statementName", AttributeValue.fromS(statementName))))
                .item();
    }

    @Test
    void aProcedureRunSucceedsWhenRedshiftSaysSoAndTheRowHoldsTheExactMessage() {
        String runId = start("stored-procedure",
                "{\"spname\": \"public.sp_etl_log_etl_event\", \"event_message\": \"ETL Load Process started\"}");
        JsonPath run = awaitRun(runId, "SUCCEEDED");
        assertEquals("call-procedure", run.getString("steps[0].name"));
        assertEquals("SUCCEEDED", run.getString("steps[0].status"));
        String statementId = run.getString("steps[0].awsIds.statementId");
        assertEquals(statementId, run.getString("steps[0].output.statementId"));
        assertEquals(List.of("ETL Load Process started"), messages());
        String name = StatementNames.of("stored-procedure", runId, "call-procedure", 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> "FINISHED".equals(correlation(name).get("status").s()));
        Map<String, AttributeValue> c = correlation(name);
        assertEquals(statementId, c.get("statementId").s());
        assertTrue(Long.parseLong(c.get("expiresAt").n()) > System.currentTimeMillis() / 1000, "correlation has a TTL");
        assertEquals("CALL public.sp_etl_log_etl_event(:event_message)",
                data.describeStatement(b -> b.id(statementId)).queryString(), "the message went in as a parameter");
    }

    @Test
    void anInjectionAttemptIsStoredVerbatimAndABadProcedureNameIsRejected() {
        String evil = "x'); drop table public.etl_events; --";
        String runId = start("stored-procedure",
                "{\"spname\": \"public.sp_etl_log_etl_event\", \"event_message\": " + JSON.valueToTree(evil) + "}");
        awaitRun(runId, "SUCCEEDED");
        assertEquals(List.of(evil), messages(), "stored verbatim, the table still there");

        given().contentType(ContentType.JSON)
                .body("{\"spname\": \"public.sp(); drop table x; --\", \"event_message\": \"m\"}")
                .post("/pipelines/stored-procedure/runs").then().statusCode(400)
                .body("error", equalTo("invalid_parameter_value")).body("message", containsString("'spname'"));
    }

    @Test
    void aProcedureOutsideTheAllowlistIsRefusedAndRedshiftSeesNoStatement() {
        redshift.run("CREATE OR REPLACE PROCEDURE public.sp_not_allowed(p_message varchar(256)) AS $$ BEGIN "
                + "INSERT INTO public.etl_events (event_time, message) VALUES (getdate(), p_message); END; $$ LANGUAGE plpgsql");
        int runsBefore = given().get("/pipelines/stored-procedure/runs").jsonPath().getList("runId").size();
        for (String name : List.of("public.sp_not_allowed", "sp_etl_log_etl_event", "PUBLIC.SP_ETL_LOG_ETL_EVENT", "pg_catalog.pg_sleep")) {
            given().contentType(ContentType.JSON).body("{\"spname\": \"" + name + "\", \"event_message\": \"sneaky\"}")
                    .post("/pipelines/stored-procedure/runs").then().statusCode(403)
                    .body("error", equalTo("parameter_not_allowed"))
                    .body("message", containsString("'spname'"))
                    .body("message", containsString("shiftwork.stored-procedures.allowed"));
        }
        assertEquals(runsBefore, given().get("/pipelines/stored-procedure/runs").jsonPath().getList("runId").size(),
                "no run stored");
        List<String> sql = new ArrayList<>();
        String token = null;
        do {
            String next = token;
            var page = data.listStatements(b -> b.status("ALL").maxResults(100).nextToken(next));
            page.statements().forEach(st -> sql.add(st.queryString()));
            token = page.nextToken();
        } while (token != null);
        assertTrue(sql.stream().noneMatch(q -> q != null && (q.contains("sneaky") || q.toLowerCase().contains("call public.sp_not_allowed")
                || q.toLowerCase().contains("call sp_etl") || q.contains("pg_sleep"))), "the local Redshift saw no such statement: " + sql);
        assertEquals(List.of(), messages(), "nothing was logged");
    }

    @Test
    void anEmptyOrNullMessageIsRefusedWith400NamingItAndTheDataApiRefusesAnEmptyValueToo() {
        given().contentType(ContentType.JSON).body("{\"spname\": \"public.sp_etl_log_etl_event\", \"event_message\": \"\"}")
                .post("/pipelines/stored-procedure/runs").then().statusCode(400)
                .body("error", equalTo("invalid_parameter_value")).body("message", containsString("'event_message'"))
                .body("message", containsString("must not be empty"));
        given().contentType(ContentType.JSON).body("{\"spname\": \"public.sp_etl_log_etl_event\", \"event_message\": null}")
                .post("/pipelines/stored-procedure/runs").then().statusCode(400)
                .body("error", equalTo("missing_parameter")).body("message", containsString("'event_message'"));
        given().contentType(ContentType.JSON).body("{\"event_message\": \"\"}")
                .post("/pipelines/stored-procedures/runs").then().statusCode(400)
                .body("message", containsString("'event_message'"));
        // what the 400 spares: the Data API takes no zero-length parameter value (SqlParameter.value, min length 1)
        var refused = org.junit.jupiter.api.Assertions.assertThrows(
                software.amazon.awssdk.services.redshiftdata.model.ValidationException.class,
                () -> data.executeStatement(b -> b.clusterIdentifier("shiftwork-test").database("dev").dbUser("awsuser")
                        .sql("CALL public.sp_etl_log_etl_event(:m)")
                        .parameters(software.amazon.awssdk.services.redshiftdata.model.SqlParameter.builder().name("m").value("").build())));
        assertTrue(refused.getMessage().contains("length greater than or equal to 1"), refused.getMessage());
        assertEquals(List.of(), messages(), "nothing ran");
    }

    @Test
    void aSequenceRunsStepAfterStepEachAfterTheCompletionOfThePrevious() {
        String runId = start("stored-procedures", "{\"event_message\": \"nightly\"}");
        JsonPath run = awaitRun(runId, "SUCCEEDED");
        assertEquals(List.of("log-started", "log-finished"), run.getList("steps.name"));
        assertEquals(List.of("nightly finished", "nightly started"), messages().stream().sorted().toList());
        String first = run.getString("steps[0].finishedAt");
        String second = run.getString("steps[1].startedAt");
        assertTrue(first.compareTo(second) <= 0, "step 2 started after step 1 finished");
    }

    @Test
    void aFailingProcedureFailsTheRunWithTheDataApiErrorAndAlertsSupport() throws Exception {
        String alertsUrl = subscribeToSupportTopic();
        redshift.run("""
                CREATE OR REPLACE PROCEDURE public.sp_fails(p_message varchar(256)) AS $$
                BEGIN
                  RAISE EXCEPTION 'load failed: %', p_message;
                END;
                $$ LANGUAGE plpgsql""");
        String runId = start("stored-procedure", "{\"spname\": \"public.sp_fails\", \"event_message\": \"bad batch\"}");
        JsonPath run = awaitRun(runId, "FAILED");
        assertEquals("ERROR: load failed: bad batch", run.getString("error"));
        assertEquals("FAILED", run.getString("steps[0].status"));

        JsonNode alert = awaitAlert(alertsUrl, runId);
        assertEquals("stored-procedure", alert.get("pipeline").asText());
        assertEquals("ERROR: load failed: bad batch", alert.get("error").asText());
        assertEquals("bad batch", alert.at("/input/event_message").asText());
        assertEquals("call-procedure", alert.get("step").asText());
    }

    @Test
    void duplicateAndLateEventsAreAppliedOnce() throws Exception {
        String queueUrl = sqs.getQueueUrl(b -> b.queueName(config.queue())).queueUrl();
        String runId = start("stored-procedures", "{\"event_message\": \"dup\"}");
        JsonPath run = awaitRun(runId, "SUCCEEDED");
        double duplicatesBefore = counter("shiftwork.statements.completions.duplicate");
        // replay the first step's completion twice, after the run moved on and finished (late, duplicated)
        String name = StatementNames.of("stored-procedures", runId, "log-started", 1);
        String event = event(name, run.getString("steps[0].awsIds.statementId"), "FINISHED");
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(event));
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(event));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> counter("shiftwork.statements.completions.duplicate") >= duplicatesBefore + 2);
        JsonPath after = given().get("/runs/" + runId).jsonPath();
        assertEquals(2, after.getList("steps").size(), "no step ran again");
        assertEquals(2, messages().size(), "each procedure ran once");
    }

    @Test
    void aCompletionClaimedByAReplicaThatDiedIsAppliedByThePoller() throws Exception {
        camel.getRouteController().stopRoute(StatementRoutes.EVENTS_ROUTE);
        camel.getRouteController().stopRoute(StatementRoutes.POLLER_ROUTE);
        try {
            String runId = start("stored-procedures", "{\"event_message\": \"claimed\"}");
            await().atMost(Duration.ofSeconds(10)).until(() -> messages().size() == 1
                    && given().get("/runs/" + runId).path("steps[0].awsIds.statementId") != null);
            String name = StatementNames.of("stored-procedures", runId, "log-started", 1);
            String statementId = given().get("/runs/" + runId).path("steps[0].awsIds.statementId");
            // what a replica leaves when it dies right after claiming the completion: APPLYING, deadline passed
            dynamo.updateItem(b -> b.tableName(config.table()).key(Map.of("statementName", AttributeValue.fromS(name)))
                    .updateExpression("SET #s = :a, statusShard = :as, finalState = :f, resultRows = :r, errorText = :e, "
                            + "nextPollAt = :p")
                    .expressionAttributeNames(Map.of("#s", "status"))
                    .expressionAttributeValues(Map.of(":a", AttributeValue.fromS("APPLYING"),
                            ":as", AttributeValue.fromS(correlations.statusShard(name, "APPLYING")), ":f", AttributeValue.fromS("FINISHED"),
                            ":r", AttributeValue.fromN("0"), ":e", AttributeValue.fromS(""),
                            ":p", AttributeValue.fromN(Long.toString(System.currentTimeMillis() - 1)))));
            camel.getRouteController().startRoute(StatementRoutes.POLLER_ROUTE);
            camel.getRouteController().startRoute(StatementRoutes.EVENTS_ROUTE);
            JsonPath run = awaitRun(runId, "SUCCEEDED");
            assertEquals(statementId, run.getString("steps[0].output.statementId"));
            assertEquals(List.of("claimed finished", "claimed started"), messages().stream().sorted().toList(),
                    "each procedure ran once");
            await().atMost(Duration.ofSeconds(5)).until(() -> "FINISHED".equals(correlation(name).get("status").s()));
        } finally {
            startConsumers();
        }
    }

    @Test
    void aCompletionForAStatementNotRecordedYetIsNotApplied() throws Exception {
        String queueUrl = sqs.getQueueUrl(b -> b.queueName(config.queue())).queueUrl();
        camel.getRouteController().stopRoute(StatementRoutes.POLLER_ROUTE);
        try {
            eventBridge.removeTargets(b -> b.rule(config.rule()).ids("shiftwork-statements"));
            String runId = start("stored-procedures", "{\"event_message\": \"early\"}");
            await().atMost(Duration.ofSeconds(10)).until(() -> messages().size() == 1
                    && given().get("/runs/" + runId).path("steps[0].awsIds.statementId") != null);
            // a completion for the second step before the run got there: nothing recorded to confirm it against
            double unconfirmed = counter("shiftwork.statements.completions.unconfirmed");
            String second = StatementNames.of("stored-procedures", runId, "log-finished", 1);
            sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(event(second, "5e4f0a9c-0000-0000-0000-000000000002", "FINISHED")));
            await().atMost(Duration.ofSeconds(10)).until(() -> counter("shiftwork.statements.completions.unconfirmed") > unconfirmed);
            assertTrue(correlation(second) == null || correlation(second).isEmpty(), "nothing claimed");
            assertEquals(1, given().get("/runs/" + runId).jsonPath().getList("steps").size(), "the run did not move");
            // now the first step's completion: the second procedure runs, and its real completion finishes the run
            String first = StatementNames.of("stored-procedures", runId, "log-started", 1);
            String firstId = given().get("/runs/" + runId).path("steps[0].awsIds.statementId");
            sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(event(first, firstId, "FINISHED")));
            camel.getRouteController().startRoute(StatementRoutes.POLLER_ROUTE);
            JsonPath run = awaitRun(runId, "SUCCEEDED");
            assertEquals(List.of("log-started", "log-finished"), run.getList("steps.name"));
            assertEquals(List.of("early finished", "early started"), messages().stream().sorted().toList(),
                    "each procedure ran once");
            assertTrue(!"5e4f0a9c-0000-0000-0000-000000000002".equals(run.getString("steps[1].output.statementId")),
                    "the second step finished with its real statement");
        } finally {
            restoreEventTarget();
            startConsumers();
        }
    }

    /** Puts back the rule's target the test took away (events from EventBridge to the queue). */
    private void restoreEventTarget() {
        String arn = sqs.getQueueAttributes(b -> b.queueUrl(sqs.getQueueUrl(q -> q.queueName(config.queue())).queueUrl())
                .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
        eventBridge.putTargets(b -> b.rule(config.rule()).targets(t -> t.id("shiftwork-statements").arn(arn)));
    }

    private void startConsumers() throws Exception {
        for (String route : List.of(StatementRoutes.EVENTS_ROUTE, StatementRoutes.POLLER_ROUTE)) {
            if (!camel.getRouteController().getRouteStatus(route).isStarted()) {
                camel.getRouteController().startRoute(route);
            }
        }
    }

    @Test
    void aLostEventIsCaughtByPolling() {
        eventBridge.removeTargets(b -> b.rule(config.rule()).ids("shiftwork-statements"));
        try {
            double polled = counter("shiftwork.statements.completions", "source", "poll");
            String runId = start("stored-procedure",
                    "{\"spname\": \"public.sp_etl_log_etl_event\", \"event_message\": \"no event\"}");
            awaitRun(runId, "SUCCEEDED");
            assertEquals(List.of("no event"), messages());
            assertTrue(counter("shiftwork.statements.completions", "source", "poll") > polled, "completed by the poller");
            // a sequence: the second statement is submitted under the first one's claimed completion
            String sequence = start("stored-procedures", "{\"event_message\": \"polled\"}");
            awaitRun(sequence, "SUCCEEDED");
            assertEquals(List.of("no event", "polled finished", "polled started"), messages().stream().sorted().toList());
        } finally {
            restoreEventTarget();
        }
    }

    @Test
    void aWaitingRunResumesWhenItsConsumersComeBack() throws Exception {
        camel.getRouteController().stopRoute(StatementRoutes.EVENTS_ROUTE);
        camel.getRouteController().stopRoute("statement-poller");
        try {
            String runId = start("stored-procedures", "{\"event_message\": \"restart\"}");
            await().atMost(Duration.ofSeconds(10)).until(() -> messages().size() == 1);
            Thread.sleep(500);
            assertEquals("WAITING", given().get("/runs/" + runId).path("status"), "nothing consumes completions now");
            camel.getRouteController().startRoute(StatementRoutes.EVENTS_ROUTE);
            camel.getRouteController().startRoute("statement-poller");
            awaitRun(runId, "SUCCEEDED");
            assertEquals(2, messages().size(), "each procedure ran once");
        } finally {
            startConsumers();
        }
    }

    @Test
    void poisonAndForeignMessagesGoToTheDeadLetterQueueAndTheConsumerGoesOn() {
        String queueUrl = sqs.getQueueUrl(b -> b.queueName(config.queue())).queueUrl();
        String dlqUrl = sqs.getQueueUrl(b -> b.queueName(config.deadLetterQueue())).queueUrl();
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("not json {"));
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(event("someone-elses-statement",
                "5e4f0a9c-1111-2222-3333-444455556666", "FINISHED")));
        List<Message> dead = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            dead.addAll(sqs.receiveMessage(b -> b.queueUrl(dlqUrl).maxNumberOfMessages(10)
                    .messageAttributeNames("All").waitTimeSeconds(1)).messages());
            return dead.size() >= 2;
        });
        assertTrue(dead.stream().anyMatch(m -> m.body().equals("not json {")
                && m.messageAttributes().get("reason").stringValue().startsWith("malformed")));
        assertTrue(dead.stream().anyMatch(m -> m.messageAttributes().get("reason").stringValue().startsWith("foreign")));
        assertTrue(counter("shiftwork.statements.events.rejected", "reason", "malformed") >= 1);

        String runId = start("stored-procedure", "{\"spname\": \"public.sp_etl_log_etl_event\", \"event_message\": \"still alive\"}");
        awaitRun(runId, "SUCCEEDED");
    }

    @Test
    void throttlingIsRetriedWithBackoff() {
        // within the SDK's adaptive retry (3 attempts): a share of every call would sometimes outlast them
        local.throttleNext("ExecuteStatement", 2);
        local.throttleNext("DescribeStatement", 2);
        try {
            String runId = start("stored-procedures", "{\"event_message\": \"throttled\"}");
            awaitRun(runId, "SUCCEEDED");
            assertEquals(2, messages().size());
        } finally {
            local.throttleNext("ExecuteStatement", 0);
            local.throttleNext("DescribeStatement", 0);
        }
    }

    private String subscribeToSupportTopic() {
        String topicArn = sns.listTopics().topics().stream().map(t -> t.topicArn())
                .filter(a -> a.endsWith(":shiftwork-support")).findFirst().orElseThrow();
        String url = sqs.createQueue(b -> b.queueName("support-alerts")).queueUrl();
        String arn = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        sns.subscribe(b -> b.topicArn(topicArn).protocol("sqs").endpoint(arn).attributes(Map.of("RawMessageDelivery", "true")));
        return url;
    }

    private JsonNode awaitAlert(String url, String runId) throws Exception {
        List<Message> got = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            got.addAll(sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1)
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages());
            return got.stream().anyMatch(m -> m.body().contains(runId));
        });
        return JSON.readTree(got.stream().filter(m -> m.body().contains(runId)).findFirst().orElseThrow().body());
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
