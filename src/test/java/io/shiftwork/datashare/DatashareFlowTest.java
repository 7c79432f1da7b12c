package io.shiftwork.datashare;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
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
import io.shiftwork.LocalAwsTestResource;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.redshiftdata.model.DescribeStatementResponse;
import software.amazon.awssdk.services.redshiftdata.model.StatementData;
import software.amazon.awssdk.services.redshiftdata.model.StatusString;
import software.amazon.awssdk.services.redshiftserverless.RedshiftServerlessClient;

/**
 * The datashare flow end to end against the local Redshift (Serverless + Data API): a producer namespace shares a
 * schema with two consumer namespaces through POST /pipelines/datashare/runs, and what the consumers can read is
 * checked with their own SQL.
 */
@QuarkusTest
@TestProfile(DatashareFlowTest.TwoConsumers.class)
@QuarkusTestResource(value = LocalAwsTestResource.class, restrictToAnnotatedClass = true)
class DatashareFlowTest {

    public static class TwoConsumers implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.ofEntries(Map.entry("shiftwork.datashare.producer", "ds-producer"),
                    Map.entry("shiftwork.datashare.consumers", "ds-consumer-a,ds-consumer-b"),
                    Map.entry("shiftwork.datashare.schemas", "airline"),
                    Map.entry("shiftwork.datashare.share", "sales_share"),
                    Map.entry("shiftwork.datashare.consumer-database", "sales_db"),
                    // the migration flow (io.shiftwork.migration) shares this class's boot: its own keys
                    Map.entry("shiftwork.migration.source-cluster", "shiftwork-test"),
                    Map.entry("shiftwork.migration.namespace", "mig-target"),
                    Map.entry("shiftwork.migration.workgroup", "mig-target-wg"),
                    Map.entry("shiftwork.migration.tables", "airline.dim_date,airline.dim_airport,airline.bookings"),
                    Map.entry("shiftwork.migration.create-target", "false"),
                    Map.entry("shiftwork.migration.topic", "mig-reports"),
                    Map.entry("shiftwork.migration.poll", "200ms"),
                    Map.entry("shiftwork.migration.scheduled", "true"));
        }
    }

    @Inject
    RedshiftDataClient data;
    @Inject
    RedshiftServerlessClient serverless;
    @Inject
    DatashareConfig config;
    @Inject
    io.shiftwork.local.demo.AirlineDemo airlineDemo;

    @BeforeEach
    void namespaces() {
        assertEquals("sales_share", config.share(), "the profile's datashare keys took effect");
        // what the local run's demo installs (sql/airline and the generated sample); idempotent
        airlineDemo.install("file:sql");
    }

    private DescribeStatementResponse run(String workgroup, String sql) {
        String id = data.executeStatement(b -> b.workgroupName(workgroup).database("dev").sql(sql)).id();
        DescribeStatementResponse[] last = new DescribeStatementResponse[1];
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).until(() -> {
            last[0] = data.describeStatement(b -> b.id(id));
            return List.of(StatusString.FINISHED, StatusString.FAILED, StatusString.ABORTED).contains(last[0].status());
        });
        return last[0];
    }

    private void sql(String workgroup, String sql) {
        DescribeStatementResponse d = run(workgroup, sql);
        assertEquals(StatusString.FINISHED, d.status(), sql + ": " + d.error());
    }

    private long count(String workgroup, String sql) {
        DescribeStatementResponse d = run(workgroup, sql);
        assertEquals(StatusString.FINISHED, d.status(), sql + ": " + d.error());
        return data.getStatementResult(b -> b.id(d.id())).records().get(0).get(0).longValue();
    }

    private static JsonPath runPipeline(String body) {
        String runId = given().contentType(ContentType.JSON).body(body).post("/pipelines/datashare/runs")
                .then().statusCode(202).extract().path("runId");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> List.of("SUCCEEDED", "FAILED")
                .contains(given().get("/runs/" + runId).path("status")));
        JsonPath run = given().get("/runs/" + runId).jsonPath();
        assertEquals("SUCCEEDED", run.getString("status"), run.prettify());
        return run;
    }

    /** The statements the flow submitted to the Data API (named by the statement engine) since the given instant. */
    private List<String> flowStatements(java.time.Instant since) {
        String prefix = io.shiftwork.statements.StatementNames.of("datashare", "x", "x", 1).replaceFirst("datashare/.*", "datashare/");
        return data.listStatements(b -> b.statementName(prefix).maxResults(100)).statements().stream()
                .filter(s -> !s.createdAt().isBefore(since)).map(StatementData::queryString).toList();
    }

    @Test
    void aProducerTableIsReadableFromTwoConsumersAndARerunChangesNothing() {
        java.time.Instant before = java.time.Instant.now().minusMillis(5);
        JsonPath first = runPipeline("{}");
        List<String> steps = first.getList("steps.name");
        assertEquals("datashare-checked", steps.get(0));
        assertTrue(steps.containsAll(List.of("datashare-create", "datashare-add-schema-1", "datashare-add-tables-1",
                "datashare-grant-1", "datashare-grant-2", "datashare-create-database-1", "datashare-create-database-2")),
                steps.toString());
        List<String> submitted = flowStatements(before);
        assertTrue(submitted.stream().anyMatch(s -> s.matches("GRANT USAGE ON DATASHARE sales_share TO NAMESPACE '[0-9a-f-]{36}'")),
                submitted.toString());

        assertEquals(AirlineSample.BOOKINGS, count("ds-consumer-a", "SELECT count(*) FROM sales_db.airline.bookings"));
        assertEquals(AirlineSample.BOOKINGS, count("ds-consumer-b", "SELECT count(*) FROM sales_db.airline.bookings"));
        assertEquals(count("ds-producer", "SELECT sum(bookings_count) FROM airline.daily_revenue"),
                count("ds-consumer-b", "SELECT count(*) FROM sales_db.airline.bookings b JOIN sales_db.airline.dim_flight f "
                        + "ON f.flight_key = b.flight_key WHERE b.status = 'CONFIRMED'"), "a star join on the consumer");

        java.time.Instant rerun = java.time.Instant.now();
        JsonPath second = runPipeline("{}");
        assertEquals(List.of("datashare-checked"), second.getList("steps.name"), "a re-run plans no statement");
        assertEquals(List.of(), second.getList("steps[0].output.statements"));
        assertEquals(List.of(), flowStatements(rerun), "no CREATE/ALTER/GRANT submitted the second time");
    }

    @Test
    void aConsumersCountFollowsProducerInsertsAndFailsAfterItsGrantIsRevoked() {
        runPipeline("{}");
        long before = count("ds-consumer-a", "SELECT count(*) FROM sales_db.airline.bookings");
        sql("ds-producer", "INSERT INTO airline.bookings VALUES (900001, 1, 1, 20240101, 20240101, 'ECONOMY', 99.00, "
                + "'CONFIRMED'), (900002, 2, 2, 20240102, 20240101, 'BUSINESS', 1200.00, 'CONFIRMED')");
        assertEquals(before + 2, count("ds-consumer-a", "SELECT count(*) FROM sales_db.airline.bookings"));

        // consumer b left out of this run: its grant is revoked, a keeps reading
        JsonPath narrowed = runPipeline("{\"consumers\": \"ds-consumer-a\"}");
        assertEquals(List.of("datashare-checked", "datashare-revoke-1"), narrowed.getList("steps.name"));
        DescribeStatementResponse refused = run("ds-consumer-b", "SELECT count(*) FROM sales_db.airline.bookings");
        assertEquals(StatusString.FAILED, refused.status());
        assertTrue(refused.error().contains("not shared"), refused.error());
        assertEquals(before + 2, count("ds-consumer-a", "SELECT count(*) FROM sales_db.airline.bookings"));

        // the configured consumers again: b is granted again and its database still there
        JsonPath again = runPipeline("{}");
        assertEquals(List.of("datashare-checked", "datashare-grant-2"), again.getList("steps.name"));
        assertEquals(before + 2, count("ds-consumer-b", "SELECT count(*) FROM sales_db.airline.bookings"));
    }

    @Test
    void aConsumerOutsideTheConfigurationIsRefused() {
        String runId = given().contentType(ContentType.JSON).body("{\"consumers\": \"someone-else\"}")
                .post("/pipelines/datashare/runs").then().statusCode(202).extract().path("runId");
        await().atMost(Duration.ofSeconds(30)).until(() -> "FAILED".equals(given().get("/runs/" + runId).path("status")));
        String error = given().get("/runs/" + runId).path("error");
        assertTrue(error.contains("not one of shiftwork.datashare.consumers"), error);
        given().contentType(ContentType.JSON).body("{\"consumers\": \"x'; drop\"}").post("/pipelines/datashare/runs")
                .then().statusCode(400);
    }

    @Inject
    io.shiftwork.local.demo.MigrationDemo migrationDemo;
    @Inject
    org.apache.camel.CamelContext camel;
    @Inject
    io.shiftwork.migration.MigrationConfig migration;
    @Inject
    software.amazon.awssdk.services.redshift.RedshiftClient redshift;
    @Inject
    software.amazon.awssdk.services.sns.SnsClient sns;
    @Inject
    software.amazon.awssdk.services.sqs.SqsClient sqs;

    private static JsonPath awaitRun(String runId) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> List.of("SUCCEEDED", "FAILED")
                .contains(given().get("/runs/" + runId).path("status")));
        return given().get("/runs/" + runId).jsonPath();
    }

    private List<String> manualSnapshots(String cluster) {
        return redshift.describeClusterSnapshots(b -> b.clusterIdentifier(cluster).snapshotType("manual")).snapshots().stream()
                .map(software.amazon.awssdk.services.redshift.model.Snapshot::snapshotIdentifier).toList();
    }

    private long clusterCount(String cluster, String sql) {
        String id = data.executeStatement(b -> b.clusterIdentifier(cluster).dbUser("awsuser").database("dev").sql(sql)).id();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                .until(() -> data.describeStatement(b -> b.id(id)).status() == StatusString.FINISHED);
        return data.getStatementResult(b -> b.id(id)).records().get(0).get(0).longValue();
    }

    @Test
    void migrationFailsFastForAMissingNamespaceThenRestoresTheClusterIntoServerlessWithMatchingCounts() throws Exception {
        assertEquals("mig-target", migration.namespace().orElseThrow(), "the profile's migration keys took effect");
        migrationDemo.install("file:sql", "shiftwork-test"); // the local run's source cluster: the airline sample
        String topicArn = sns.createTopic(b -> b.name("mig-reports")).topicArn();
        String queue = sqs.createQueue(b -> b.queueName("mig-reports-" + System.nanoTime())).queueUrl();
        String queueArn = sqs.getQueueAttributes(b -> b.queueUrl(queue).attributeNames(
                software.amazon.awssdk.services.sqs.model.QueueAttributeName.QUEUE_ARN)).attributes()
                .get(software.amazon.awssdk.services.sqs.model.QueueAttributeName.QUEUE_ARN);
        sns.subscribe(b -> b.topicArn(topicArn).protocol("sqs").endpoint(queueArn).attributes(Map.of("RawMessageDelivery", "true")));
        List<String> before = manualSnapshots("shiftwork-test");

        // no namespace, no workgroup, create-target=false: the run fails naming both, and no snapshot is taken
        String failedId = given().contentType(ContentType.JSON).body("{}").post("/pipelines/migration/runs")
                .then().statusCode(202).extract().path("runId");
        JsonPath failed = awaitRun(failedId);
        assertEquals("FAILED", failed.getString("status"), failed.prettify());
        assertTrue(failed.getString("error").contains("namespace mig-target and workgroup mig-target-wg do not exist"),
                failed.getString("error"));
        assertEquals(List.of("target"), failed.getList("steps.name"));
        assertEquals(before, manualSnapshots("shiftwork-test"), "no snapshot taken");

        // createTarget: namespace and workgroup created, snapshot taken, restored by ARN, counts compared. With the
        // timer stopped (as while no instance runs), the run stays WAITING after its first step; the timer started
        // again (a restarted instance's) carries it on from the state recorded with the run
        camel.getRouteController().stopRoute("migration-tick");
        String runId = given().contentType(ContentType.JSON).body("{\"createTarget\": true}").post("/pipelines/migration/runs")
                .then().statusCode(202).extract().path("runId");
        await().atMost(Duration.ofSeconds(15)).until(() -> "WAITING".equals(given().get("/runs/" + runId).path("status")));
        Thread.sleep(600); // three periods of the stopped timer: nothing moves
        JsonPath waiting = given().get("/runs/" + runId).jsonPath();
        assertEquals("WAITING", waiting.getString("status"), waiting.prettify());
        assertEquals(List.of("target"), waiting.getList("steps.name"));
        assertEquals("mig-target", serverless.getWorkgroup(b -> b.workgroupName("mig-target-wg")).workgroup().namespaceName(),
                "created by the first step");
        assertEquals(before, manualSnapshots("shiftwork-test"), "no snapshot before the target is AVAILABLE");
        camel.getRouteController().startRoute("migration-tick");
        JsonPath run = awaitRun(runId);
        assertEquals("SUCCEEDED", run.getString("status"), run.prettify());
        assertEquals(List.of("target", "snapshot", "restore", "row-counts"), run.getList("steps.name"));
        String snapshot = run.getString("steps[1].output.snapshot");
        java.time.Instant available = java.time.Instant.parse(run.getString("steps[2].output.namespaceAvailableAt"));
        java.time.Instant answered = java.time.Instant.parse(run.getString("steps[3].output.firstQueryAnsweredAt"));
        assertTrue(!answered.isBefore(available), available + " then " + answered);

        // what AWS holds: the snapshot in moto, the namespace AVAILABLE with the cluster's rows
        var snap = redshift.describeClusterSnapshots(b -> b.clusterIdentifier("shiftwork-test").snapshotIdentifier(snapshot))
                .snapshots().get(0);
        assertEquals("available", snap.status());
        assertEquals("AVAILABLE", serverless.getNamespace(b -> b.namespaceName("mig-target")).namespace().statusAsString());
        assertEquals("mig-target", serverless.getWorkgroup(b -> b.workgroupName("mig-target-wg")).workgroup().namespaceName());
        for (String table : List.of("airline.dim_date", "airline.dim_airport", "airline.bookings")) {
            long source = clusterCount("shiftwork-test", "SELECT count(*) FROM " + table);
            assertEquals(source, count("mig-target-wg", "SELECT count(*) FROM " + table), table);
            assertEquals(source, run.getLong("steps[3].output.tables['" + table + "'].target"), table);
        }
        assertEquals(AirlineSample.BOOKINGS, count("mig-target-wg", "SELECT count(*) FROM airline.bookings"));

        // the SNS report
        List<software.amazon.awssdk.services.sqs.model.Message> got = new java.util.ArrayList<>();
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            got.addAll(sqs.receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(10).waitTimeSeconds(1)).messages());
            return got.stream().anyMatch(m -> m.body().contains(runId));
        });
        JsonPath report = JsonPath.from(got.stream().filter(m -> m.body().contains(runId)).findFirst().orElseThrow().body());
        assertEquals("SUCCEEDED", report.getString("outcome"));
        assertEquals(snapshot, report.getString("snapshot"));
        assertEquals(true, report.getBoolean("tables['airline.bookings'].match"));
        assertEquals(AirlineSample.BOOKINGS, report.getLong("tables['airline.bookings'].target"));
        assertEquals(available.toString(), report.getString("namespaceAvailableAt"));
        assertTrue(got.stream().anyMatch(m -> m.body().contains(failedId) && m.body().contains("\"outcome\":\"FAILED\"")),
                "the failed run reported too");
    }
}
