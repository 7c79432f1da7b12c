package io.shiftwork.statements;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import jakarta.inject.Inject;

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
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.redshiftdata.model.DescribeStatementResponse;
import software.amazon.awssdk.services.redshiftdata.model.StatusString;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Steps declared in YAML by kind — batch, sql with a results route — run by an operator's copy of the flows
 * (shiftwork.routes.dir) whose {@code stored-procedures} pipeline picks its steps by the run's event_message.
 */
@QuarkusTest
@TestProfile(StatementStepsTest.DeclaredSteps.class)
@QuarkusTestResource(value = LocalAwsTestResource.class, restrictToAnnotatedClass = true)
class StatementStepsTest {

    static final String PIPELINE_STEPS = """
                    - setHeader:
                        name: shiftworkSteps
                        expression:
                          constant:
                            expression: "{{shiftwork.stored-procedures.steps:direct:log-started,direct:log-finished}}"
            """;

    public static class DeclaredSteps implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path dir = Files.createDirectories(Path.of("target", "declared-steps-routes"));
                try (Stream<Path> routes = Files.list(Path.of("routes"))) {
                    for (Path route : routes.toList()) {
                        Files.copy(route, dir.resolve(route.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                Path flow = dir.resolve("stored-procedures.camel.yaml");
                String yaml = Files.readString(flow);
                String original = PIPELINE_STEPS;
                if (!yaml.contains(original)) {
                    throw new IllegalStateException("the stored-procedures pipeline changed: update this test");
                }
                yaml = yaml.replace(original, """
                                - choice:
                                    when:
                                      - expression:
                                          simple:
                                            expression: "${body[event_message]} == 'batch-fails'"
                                        steps:
                                          - setHeader:
                                              name: shiftworkSteps
                                              constant: |
                                                - name: load
                                                  kind: batch
                                                  statements:
                                                    - INSERT INTO public.batch_target VALUES (1)
                                                    - INSERT INTO public.no_such_table VALUES (2)
                                                    - INSERT INTO public.batch_target VALUES (3)
                                      - expression:
                                          simple:
                                            expression: "${body[event_message]} == 'batch-succeeds'"
                                        steps:
                                          - setHeader:
                                              name: shiftworkSteps
                                              constant: |
                                                - name: load
                                                  kind: batch
                                                  timeout: PT5M
                                                  statements:
                                                    - INSERT INTO public.batch_target VALUES (1)
                                                    - INSERT INTO public.batch_target VALUES (2), (3)
                                                    - DELETE FROM public.batch_target WHERE x = 1
                                      - expression:
                                          simple:
                                            expression: "${body[event_message]} == 'short-read'"
                                        steps:
                                          - setHeader:
                                              name: shiftworkSteps
                                              constant: |
                                                - name: numbers
                                                  kind: sql
                                                  sql: SELECT g, 'short-read' AS tag FROM generate_series(1, 300) g
                                                  results: direct:results-probe
                                      - expression:
                                          simple:
                                            expression: "${body[event_message]} == 'read-results'"
                                        steps:
                                          - setHeader:
                                              name: shiftworkSteps
                                              constant: |
                                                - name: numbers
                                                  kind: sql
                                                  sql: SELECT g FROM generate_series(1, 2500) g ORDER BY g
                                                  results: direct:results-probe
                                    otherwise:
                                      steps:
                                        - setHeader:
                                            name: shiftworkSteps
                                            constant: |
                                              - name: probe
                                                kind: sql
                                                sql: SELECT 'unknown-status-probe'
                        """);
                yaml += """
                        - route:
                            id: results-probe
                            description: Tells topic results-probe how many rows a step read, and the last one
                            from:
                              uri: direct:results-probe
                              steps:
                                - setBody:
                                    simple:
                                      expression: "${body[rows].size()} ${body[totalNumRows]} ${body[columns].get(0)} ${body[rows].get(2499).get(0)}"
                                - to:
                                    uri: aws2-sns:results-probe?autoCreateTopic=true
                        """;
                Files.writeString(flow, yaml);
                return Map.of("shiftwork.routes.dir", "file:" + dir.toAbsolutePath(),
                        "shiftwork.statements.event-timeout", "PT1S",
                        "shiftwork.statements.poll-initial", "PT0.2S",
                        "shiftwork.statements.poll-max", "PT1S",
                        "shiftwork.statements.poller-interval", "PT0.2S");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Inject
    RedshiftDataClient data;
    @Inject
    SqsClient sqs;
    @Inject
    SnsClient sns;

    private String subscribe(String topic) {
        String topicArn = sns.listTopics().topics().stream().map(t -> t.topicArn())
                .filter(a -> a.endsWith(":" + topic)).findFirst().orElseThrow();
        String url = sqs.createQueue(b -> b.queueName(topic + "-queue")).queueUrl();
        String arn = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        sns.subscribe(b -> b.topicArn(topicArn).protocol("sqs").endpoint(arn).attributes(Map.of("RawMessageDelivery", "true")));
        return url;
    }

    Emulators local;

    private static String start(String message) {
        return given().contentType(ContentType.JSON).body("{\"event_message\": \"" + message + "\"}")
                .post("/pipelines/stored-procedures/runs").then().statusCode(202).extract().path("runId");
    }

    private static JsonPath awaitRun(String runId, String status) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> List.of("SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELLED").contains(given().get("/runs/" + runId).path("status")));
        JsonPath run = given().get("/runs/" + runId).jsonPath();
        assertEquals(status, run.getString("status"), run.prettify());
        return run;
    }

    private long rows(RedshiftSql redshift) {
        return redshift.query("SELECT count(*) FROM public.batch_target").get(0).get(0).longValue();
    }

    @Test
    void aBatchOfThreeWithTheSecondFailingLeavesNoEffectOfTheFirst() {
        RedshiftSql redshift = new RedshiftSql(data, "shiftwork-test");
        redshift.run("CREATE TABLE IF NOT EXISTS public.batch_target (x int)");
        redshift.run("TRUNCATE public.batch_target");

        String runId = start("batch-fails");
        JsonPath run = awaitRun(runId, "FAILED");
        assertEquals(0, rows(redshift), "the first INSERT was rolled back with the batch");
        assertEquals("FAILED", run.getString("steps[0].status"));
        assertTrue(run.getString("error").contains("no_such_table"), run.getString("error"));
        String id = run.getString("steps[0].awsIds.statementId");
        assertEquals(List.of(id + ":1", id + ":2", id + ":3"), run.getList("steps[0].output.subStatements.id"));
        assertEquals(List.of("FINISHED", "FAILED", "ABORTED"), run.getList("steps[0].output.subStatements.status"));
        assertTrue(run.getString("steps[0].output.subStatements[1].error").contains("no_such_table"));

        // what the step recorded is what the Data API says of the batch
        DescribeStatementResponse batch = data.describeStatement(b -> b.id(id));
        assertEquals(StatusString.FAILED, batch.status());
        assertEquals(run.getList("steps[0].output.subStatements.status"),
                batch.subStatements().stream().map(s -> s.statusAsString()).toList());
    }

    @Test
    void aBatchRunsItsStatementsInOneTransactionAndRecordsEachOnesRows() {
        RedshiftSql redshift = new RedshiftSql(data, "shiftwork-test");
        redshift.run("CREATE TABLE IF NOT EXISTS public.batch_target (x int)");
        redshift.run("TRUNCATE public.batch_target");

        String runId = start("batch-succeeds");
        JsonPath run = awaitRun(runId, "SUCCEEDED");
        assertEquals(List.of(2L, 3L), redshift.query("SELECT x FROM public.batch_target ORDER BY x").stream()
                .map(r -> r.get(0).longValue()).toList());
        String id = run.getString("steps[0].awsIds.statementId");
        assertEquals(List.of(id + ":1", id + ":2", id + ":3"), run.getList("steps[0].output.subStatements.id"));
        assertEquals(List.of("FINISHED", "FINISHED", "FINISHED"), run.getList("steps[0].output.subStatements.status"));
        assertEquals(List.of(1, 2, 1), run.getList("steps[0].output.subStatements.rows"));
        assertEquals(4, run.getInt("steps[0].output.rows"));
        assertEquals(3, data.describeStatement(b -> b.id(id)).subStatements().size());
    }

    @Test
    void aStepReadsEveryPageOfA2500RowResult() {
        local.setting("resultPageRows", 100);
        try {
            String queue = subscribe("results-probe");
            String runId = start("read-results");
            JsonPath run = awaitRun(runId, "SUCCEEDED");
            assertEquals(2500, run.getInt("steps[0].output.resultRows"));
            assertEquals(25, run.getInt("steps[0].output.resultPages"), "100 rows a page");
            Message got = await().atMost(Duration.ofSeconds(10)).until(
                    () -> sqs.receiveMessage(b -> b.queueUrl(queue).waitTimeSeconds(1)).messages().stream().findFirst()
                            .orElse(null),
                    m -> m != null);
            assertEquals("2500 2500 g 2500", got.body(), "the results route got every row, the last one last");
        } finally {
            local.setting("resultPageRows", 0);
        }
    }

    @Test
    void rowsThatDoNotAddUpToTotalNumRowsFailTheStep() {
        local.admin("faults", "{\"action\":\"total_rows\",\"pattern\":\"short-read\",\"message\":\"301\",\"times\":-1}");
        try {
            String runId = start("short-read");
            JsonPath run = awaitRun(runId, "FAILED");
            assertEquals("FAILED", run.getString("steps[0].status"));
            assertTrue(run.getString("error").matches("step 'numbers': read 300 rows of statement \\S+ in 1 page\\(s\\), "
                    + "but GetStatementResult says TotalNumRows 301"), run.getString("error"));
        } finally {
            local.disarm("short-read");
        }
    }

    @Test
    void anUnknownStatusThenFinishedSucceeds() {
        // the hook: DescribeStatement answers a status this SDK does not know
        local.admin("faults", "{\"action\":\"status\",\"pattern\":\"status-hook-check\",\"message\":\"QUEUED\",\"times\":1}");
        String checked = data.executeStatement(b -> b.clusterIdentifier("shiftwork-test").database("dev").dbUser("awsuser")
                .sql("SELECT 'status-hook-check'")).id();
        await().atMost(Duration.ofSeconds(10)).until(
                () -> data.describeStatement(b -> b.id(checked)).status() == StatusString.UNKNOWN_TO_SDK_VERSION);

        local.admin("faults", "{\"action\":\"status\",\"pattern\":\"unknown-status-probe\",\"message\":\"QUEUED\",\"times\":2}");
        String runId = start("unknown-status");
        JsonPath run = awaitRun(runId, "SUCCEEDED");
        assertEquals("SUCCEEDED", run.getString("steps[0].status"));
        String id = run.getString("steps[0].awsIds.statementId");
        assertEquals(StatusString.FINISHED, data.describeStatement(b -> b.id(id)).status(), "the hook was used up");
    }
}
