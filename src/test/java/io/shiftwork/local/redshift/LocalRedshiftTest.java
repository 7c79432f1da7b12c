package io.shiftwork.local.redshift;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.shiftwork.LocalAwsTestResource;
import io.shiftwork.Emulators;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.redshift.RedshiftClient;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.redshiftdata.model.ActiveStatementsExceededException;
import software.amazon.awssdk.services.redshiftdata.model.ColumnMetadata;
import software.amazon.awssdk.services.redshiftdata.model.DescribeStatementResponse;
import software.amazon.awssdk.services.redshiftdata.model.Field;
import software.amazon.awssdk.services.redshiftdata.model.GetStatementResultResponse;
import software.amazon.awssdk.services.redshiftdata.model.RedshiftDataException;
import software.amazon.awssdk.services.redshiftdata.model.ResourceNotFoundException;
import software.amazon.awssdk.services.redshiftdata.model.SqlParameter;
import software.amazon.awssdk.services.redshiftdata.model.StatusString;
import software.amazon.awssdk.services.redshiftdata.model.ValidationException;
import software.amazon.awssdk.services.redshiftserverless.RedshiftServerlessClient;
import software.amazon.awssdk.services.redshiftserverless.model.Snapshot;
import software.amazon.awssdk.services.redshiftserverless.model.Tag;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The local Redshift through the real AWS SDK clients the application produces (no mocks): every Data API and
 * Serverless operation, events through a moto EventBridge rule to SQS, COPY/UNLOAD against moto's S3, and each
 * fault switch.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalAwsTestResource.class, restrictToAnnotatedClass = true)
class LocalRedshiftTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    RedshiftDataClient data;
    @Inject
    RedshiftServerlessClient serverless;
    @Inject
    EventBridgeClient eventBridge;
    @Inject
    SqsClient sqs;
    @Inject
    S3Client s3;
    @Inject
    RedshiftClient redshift;

    Emulators local;

    /** A new cluster, created in moto: the local Redshift runs statements only on clusters moto knows. */
    private String cluster() {
        String id = "c" + UUID.randomUUID().toString().substring(0, 8);
        createCluster(id);
        return id;
    }

    private void createCluster(String id) {
        redshift.createCluster(b -> b.clusterIdentifier(id).nodeType("ra3.xlplus").numberOfNodes(2)
                .masterUsername("awsuser").masterUserPassword("Passw0rd-not-secret"));
        // a new cluster is 'creating' for a while, as on AWS, and the Data API refuses it until it is available
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).pollInterval(java.time.Duration.ofMillis(100))
                .until(() -> "available".equals(redshift.describeClusters(b -> b.clusterIdentifier(id)).clusters().get(0).clusterStatus()));
    }

    private String run(String cluster, String sql, SqlParameter... params) {
        // an empty Parameters list is refused (SqlParametersList: at least 1 item)
        return data.executeStatement(b -> b.clusterIdentifier(cluster).database("dev").dbUser("awsuser").sql(sql)
                .parameters(params.length == 0 ? null : List.of(params))).id();
    }

    private DescribeStatementResponse awaitDone(String id) {
        DescribeStatementResponse[] last = new DescribeStatementResponse[1];
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(5)).until(() -> {
            last[0] = data.describeStatement(b -> b.id(id));
            return List.of(StatusString.FINISHED, StatusString.FAILED, StatusString.ABORTED).contains(last[0].status());
        });
        return last[0];
    }

    private DescribeStatementResponse runAndWait(String cluster, String sql, SqlParameter... params) {
        return awaitDone(run(cluster, sql, params));
    }

    private static SqlParameter param(String name, String value) {
        return SqlParameter.builder().name(name).value(value).build();
    }

    @Test
    void executeDescribeAndTypedResultsRoundTrip() {
        String c = cluster();
        assertEquals(StatusString.FINISHED, runAndWait(c,
                "create table t (id int, price numeric(10,2), ratio float8, ok boolean, name varchar(max), at timestamp)").status());
        DescribeStatementResponse insert = runAndWait(c,
                "insert into t values (:id, :price, :ratio, :ok, :name, :at), (2, null, null, null, null, null)",
                param("id", "42"), param("price", "9.50"), param("ratio", "0.25"), param("ok", "true"),
                param("name", "it's"), param("at", "2024-01-02 03:04:05"));
        assertEquals(StatusString.FINISHED, insert.status(), insert.error());
        assertEquals(2L, insert.resultRows());
        assertFalse(insert.hasResultSet());
        assertEquals(6, insert.queryParameters().size());
        assertTrue(insert.createdAt() != null && !insert.updatedAt().isBefore(insert.createdAt()));

        String select = run(c, "select id, price, ratio, ok, name, at from t order by id desc");
        DescribeStatementResponse done = awaitDone(select);
        assertTrue(done.hasResultSet());
        assertEquals(2L, done.resultRows());
        assertTrue(done.duration() >= 0);
        assertEquals("select id, price, ratio, ok, name, at from t order by id desc", done.queryString());
        assertEquals(c, done.clusterIdentifier());
        assertEquals("awsuser", done.dbUser());

        GetStatementResultResponse result = data.getStatementResult(b -> b.id(select));
        assertEquals(2L, result.totalNumRows());
        assertEquals(List.of("id", "price", "ratio", "ok", "name", "at"),
                result.columnMetadata().stream().map(ColumnMetadata::name).toList());
        assertEquals("int4", result.columnMetadata().get(0).typeName());
        List<Field> row = result.records().get(0);
        assertEquals(42L, row.get(0).longValue());
        assertEquals("9.50", row.get(1).stringValue());
        assertEquals(0.25, row.get(2).doubleValue());
        assertTrue(row.get(3).booleanValue());
        assertEquals("it's", row.get(4).stringValue());
        assertEquals("2024-01-02 03:04:05", row.get(5).stringValue());
        assertTrue(result.records().get(1).get(1).isNull());
    }

    @Test
    void resultsArePagedWithNextToken() {
        local.setting("resultPageRows", 10);
        String id = run(cluster(), "select g from generate_series(1, 25) g");
        awaitDone(id);
        List<Long> values = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            String t = token;
            GetStatementResultResponse page = data.getStatementResult(b -> b.id(id).nextToken(t));
            page.records().forEach(r -> values.add(r.get(0).longValue()));
            token = page.nextToken();
            pages++;
        } while (token != null);
        assertEquals(3, pages);
        assertEquals(25, values.size());
        assertEquals(25L, values.get(24));
        local.setting("resultPageRows", 0);
    }

    @Test
    void resultsArePagedBySizeAsAwsDoesWithTotalNumRowsOnEveryPage() {
        String id = run(cluster(), "select g, repeat('x', 100) as pad from generate_series(1, 500) g order by g");
        awaitDone(id);
        assertEquals(500, data.getStatementResult(b -> b.id(id)).records().size(), "by default one page: far under 100 MB");
        local.setting("resultPageBytes", 10_000);
        try {
            List<Long> values = new ArrayList<>();
            String token = null;
            int pages = 0;
            do {
                String t = token;
                GetStatementResultResponse page = data.getStatementResult(b -> b.id(id).nextToken(t));
                assertEquals(500L, page.totalNumRows());
                assertTrue(page.records().size() < 500, "a page holds what fits in its size");
                page.records().forEach(r -> values.add(r.get(0).longValue()));
                token = page.nextToken();
                pages++;
            } while (token != null);
            assertTrue(pages > 1, pages + " pages");
            assertEquals(500, values.size());
            assertEquals(500L, values.get(499));
        } finally {
            local.setting("resultPageBytes", 100L * 1024 * 1024);
        }
    }

    @Test
    void aStatementMovesThroughStartedToFinished() {
        local.fault("delay", "pg_sleep_marker", null, 1.0);
        String id = run(cluster(), "select 'pg_sleep_marker'");
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                .until(() -> data.describeStatement(b -> b.id(id)).status() == StatusString.STARTED);
        DescribeStatementResponse running = data.describeStatement(b -> b.id(id));
        assertEquals(-1L, running.resultRows());
        assertEquals(StatusString.FINISHED, awaitDone(id).status());
    }

    @Test
    void batchesRunInOneTransactionWithSubStatements() {
        String c = cluster();
        String ok = data.batchExecuteStatement(b -> b.clusterIdentifier(c).database("dev").dbUser("u")
                .sqls("create table b (x int)", "insert into b values (1), (2)", "select count(*) from b")).id();
        DescribeStatementResponse done = awaitDone(ok);
        assertEquals(StatusString.FINISHED, done.status());
        assertEquals(3, done.subStatements().size());
        assertEquals(ok + ":2", done.subStatements().get(1).id());
        assertEquals(2L, done.subStatements().get(1).resultRows());
        assertEquals(2L, data.getStatementResult(b -> b.id(ok + ":3")).records().get(0).get(0).longValue());

        String bad = data.batchExecuteStatement(b -> b.clusterIdentifier(c).database("dev").dbUser("u")
                .sqls("create table b2 (x int)", "insert into nowhere values (1)", "select 1")).id();
        DescribeStatementResponse failed = awaitDone(bad);
        assertEquals(StatusString.FAILED, failed.status());
        assertEquals("FINISHED", failed.subStatements().get(0).statusAsString());
        assertEquals("FAILED", failed.subStatements().get(1).statusAsString());
        assertEquals("ABORTED", failed.subStatements().get(2).statusAsString());
        assertTrue(failed.error().contains("relation \"nowhere\" does not exist"), failed.error());
        DescribeStatementResponse rolledBack = runAndWait(c, "select * from b2");
        assertEquals(StatusString.FAILED, rolledBack.status(), "the batch's CREATE TABLE was rolled back");
    }

    @Test
    void storedProceduresRunWithBoundParametersStoredVerbatim() {
        String c = cluster();
        runAndWait(c, "create table etl_events (message varchar(256))");
        DescribeStatementResponse proc = runAndWait(c, """
                CREATE OR REPLACE PROCEDURE public.log_event(msg varchar(256)) AS $$
                BEGIN
                  INSERT INTO etl_events VALUES (msg);
                END;
                $$ LANGUAGE plpgsql""");
        assertEquals(StatusString.FINISHED, proc.status(), proc.error());
        String evil = "x'); drop table etl_events; --";
        assertEquals(StatusString.FINISHED, runAndWait(c, "CALL public.log_event(:m)", param("m", evil)).status());
        String q = run(c, "select message from etl_events");
        awaitDone(q);
        assertEquals(evil, data.getStatementResult(b -> b.id(q)).records().get(0).get(0).stringValue());
    }

    @Test
    void eachClusterIsItsOwnDatabase() {
        String a = cluster();
        String b = cluster();
        runAndWait(a, "create table only_in_a (x int)");
        assertEquals(StatusString.FINISHED, runAndWait(a, "select * from only_in_a").status());
        DescribeStatementResponse other = runAndWait(b, "select * from only_in_a");
        assertEquals(StatusString.FAILED, other.status());
        assertEquals("ERROR: relation \"only_in_a\" does not exist", other.error());
    }

    @Test
    void aClientTokenMakesARetriedSubmitRunOnce() {
        String c = cluster();
        runAndWait(c, "create table once (x int)");
        String token = UUID.randomUUID().toString();
        String first = data.executeStatement(b -> b.clusterIdentifier(c).database("dev").dbUser("u")
                .sql("insert into once values (1)").clientToken(token)).id();
        String again = data.executeStatement(b -> b.clusterIdentifier(c).database("dev").dbUser("u")
                .sql("insert into once values (1)").clientToken(token)).id();
        assertEquals(first, again);
        awaitDone(first);
        String q = run(c, "select count(*) from once");
        awaitDone(q);
        assertEquals(1L, data.getStatementResult(b -> b.id(q)).records().get(0).get(0).longValue());
    }

    @Test
    void cancelAbortsARunningStatementAndRefusesAFinishedOne() {
        local.fault("hang", "hang_me", null, 0);
        String id = run(cluster(), "select 'hang_me'");
        await().atMost(Duration.ofSeconds(5)).until(() -> data.describeStatement(b -> b.id(id)).status() == StatusString.STARTED);
        assertTrue(data.cancelStatement(b -> b.id(id)).status());
        assertEquals(StatusString.ABORTED, awaitDone(id).status());
        ValidationException e = assertThrows(ValidationException.class, () -> data.cancelStatement(b -> b.id(id)));
        assertTrue(e.getMessage().contains("already in ABORTED state"), e.getMessage());
    }

    @Test
    void listStatementsFiltersByNamePrefixAndStatus() {
        String c = cluster();
        String prefix = "shiftwork/" + UUID.randomUUID() + "/";
        for (int i = 0; i < 3; i++) {
            int n = i;
            awaitDone(data.executeStatement(b -> b.clusterIdentifier(c).database("dev").dbUser("u")
                    .sql("select " + n).statementName(prefix + "step-" + n)).id());
        }
        awaitDone(data.executeStatement(b -> b.clusterIdentifier(c).database("dev").dbUser("u")
                .sql("select * from missing").statementName(prefix + "bad")).id());
        // API_ListStatements: "By default, only finished statements are shown"
        assertEquals(3, data.listStatements(b -> b.statementName(prefix)).statements().size());
        assertEquals(4, data.listStatements(b -> b.statementName(prefix).status(StatusString.ALL)).statements().size());
        assertEquals(List.of(prefix + "bad"), data.listStatements(b -> b.statementName(prefix).status(StatusString.FAILED))
                .statements().stream().map(s -> s.statementName()).toList());
        var page = data.listStatements(b -> b.statementName(prefix).status(StatusString.ALL).maxResults(3));
        assertEquals(3, page.statements().size());
        assertEquals(1, data.listStatements(b -> b.statementName(prefix).status(StatusString.ALL).nextToken(page.nextToken()))
                .statements().size());
        assertEquals(prefix + "bad", page.statements().get(0).statementName(), "newest first");
    }

    @Test
    void errorsHaveTheDataApiCodes() {
        assertThrows(ResourceNotFoundException.class,
                () -> data.describeStatement(b -> b.id(UUID.randomUUID().toString())));
        assertThrows(ValidationException.class, () -> data.describeStatement(b -> b.id("not-an-id")));
        assertThrows(ValidationException.class, () -> data.executeStatement(b -> b.clusterIdentifier("c1")
                .workgroupName("w").database("dev").sql("select 1")));
        ValidationException missing = assertThrows(ValidationException.class, () -> data.executeStatement(b -> b
                .clusterIdentifier("c1").database("dev").dbUser("u").sql("select :a")));
        assertTrue(missing.getMessage().contains(":a"), missing.getMessage());
        assertThrows(ValidationException.class, () -> data.executeStatement(b -> b.clusterIdentifier("c1")
                .database("dev").dbUser("u").sql("select 1").statementName("x".repeat(2049))));
        String finished = run(cluster(), "select 1 where false");
        awaitDone(finished);
        String ddl = run(cluster(), "create table no_result (x int)");
        awaitDone(ddl);
        assertThrows(ResourceNotFoundException.class, () -> data.getStatementResult(b -> b.id(ddl)));

        local.setting("maxActiveStatements", 1);
        local.fault("hang", "occupy", null, 0);
        String busy = cluster();
        String hanging = run(busy, "select 'occupy'");
        try {
            assertThrows(ActiveStatementsExceededException.class, () -> run(busy, "select 2"));
            assertEquals(StatusString.FINISHED, runAndWait(cluster(), "select 3").status(), "the quota is per cluster");
        } finally {
            data.cancelStatement(b -> b.id(hanging));
            local.setting("maxActiveStatements", 500);
        }
    }

    @Test
    void faultSwitchesFailDelayAndThrottleOverHttpToo() throws Exception {
        String c = cluster();
        admin("faults", "{\"action\":\"fail\",\"pattern\":\"from\\\\s+orders\",\"message\":\"ERROR: disk full\"}");
        runAndWait(c, "create table orders (x int)");
        DescribeStatementResponse failed = runAndWait(c, "select * from orders");
        assertEquals(StatusString.FAILED, failed.status());
        assertEquals("ERROR: disk full", failed.error());
        assertEquals(StatusString.FINISHED, runAndWait(c, "select * from orders").status(), "only the next one fails");

        admin("faults", "{\"action\":\"delay\",\"pattern\":\"slow_one\",\"seconds\":0.6}");
        long t0 = System.nanoTime();
        runAndWait(c, "select 'slow_one'");
        assertTrue(System.nanoTime() - t0 >= 600_000_000L, "delayed statement took at least 0.6 s");

        admin("throttle", "{\"rate\":1.0}");
        try {
            RedshiftDataException e = assertThrows(RedshiftDataException.class, () -> run(c, "select 1"));
            assertEquals("ThrottlingException", e.awsErrorDetails().errorCode());
        } finally {
            admin("throttle", "{\"rate\":0}");
        }
    }

    @Test
    void withEventTheCompletionEventReachesSqsThroughAnEventBridgeRule() throws Exception {
        String queue = "events-" + UUID.randomUUID();
        String url = sqs.createQueue(b -> b.queueName(queue)).queueUrl();
        String arn = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        eventBridge.putRule(b -> b.name("redshift-data-" + queue).eventPattern(
                "{\"source\":[\"aws.redshift-data\"],\"detail-type\":[\"Redshift Data Statement Status Change\"]}"));
        eventBridge.putTargets(b -> b.rule("redshift-data-" + queue).targets(t -> t.id("q").arn(arn)));

        String c = cluster();
        String id = data.executeStatement(b -> b.clusterIdentifier(c).database("dev").dbUser("awsuser")
                .sql("select 1 union all select 2").statementName("pipeline/run/step").withEvent(true)).id();
        List<Message> got = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            got.addAll(sqs.receiveMessage(b -> b.queueUrl(url).waitTimeSeconds(1)).messages());
            return !got.isEmpty();
        });
        JsonNode event = JSON.readTree(got.get(0).body());
        assertEquals("aws.redshift-data", event.get("source").asText());
        assertEquals("Redshift Data Statement Status Change", event.get("detail-type").asText());
        JsonNode detail = event.get("detail");
        assertEquals(id, detail.get("statementId").asText());
        assertEquals("pipeline/run/step", detail.get("statementName").asText());
        assertEquals("FINISHED", detail.get("state").asText());
        assertEquals(2, detail.get("rows").asInt());
        assertTrue(detail.get("redshiftQueryId").asLong() > 0);
        assertTrue(detail.get("expireAt").asLong() > System.currentTimeMillis() / 1000);
        assertEquals("arn:aws:iam::123456789012:user/awsuser", detail.get("principal").asText());
        assertTrue(event.get("resources").get(0).asText().endsWith(":cluster:" + c));
    }

    @Test
    void copyLoadsCsvFromS3AndUnloadWritesItBack() {
        String bucket = "data-" + UUID.randomUUID().toString().substring(0, 8);
        s3.createBucket(b -> b.bucket(bucket));
        StringBuilder csv = new StringBuilder("id,city\n");
        for (int i = 1; i <= 500; i++) {
            csv.append(i).append(",\"City, ").append(i).append("\"\n");
        }
        s3.putObject(b -> b.bucket(bucket).key("in/part-1.csv"), RequestBody.fromString(csv.toString()));
        s3.putObject(b -> b.bucket(bucket).key("in/part-2.csv"), RequestBody.fromString("id,city\n501,Oslo\n"));
        String c = cluster();
        runAndWait(c, "create table cities (id int, city varchar(64))");
        DescribeStatementResponse copy = runAndWait(c, "COPY cities FROM 's3://" + bucket
                + "/in/' IAM_ROLE 'arn:aws:iam::123456789012:role/r' FORMAT AS CSV IGNOREHEADER 1");
        assertEquals(StatusString.FINISHED, copy.status(), copy.error());
        assertEquals(501L, copy.resultRows());

        DescribeStatementResponse unload = runAndWait(c, "UNLOAD ('select id, city from cities where id <= 10 order by id') TO 's3://"
                + bucket + "/out/run-1/' IAM_ROLE 'arn:aws:iam::123456789012:role/r' CSV HEADER PARALLEL OFF");
        assertEquals(StatusString.FINISHED, unload.status(), unload.error());
        assertEquals(10L, unload.resultRows());
        String written = s3.getObjectAsBytes(b -> b.bucket(bucket).key("out/run-1/000")).asUtf8String();
        String[] lines = written.split("\n");
        assertEquals(11, lines.length);
        assertEquals("id,city", lines[0]);
        assertEquals("1,\"City, 1\"", lines[1]);

        DescribeStatementResponse again = runAndWait(c, "UNLOAD ('select 1') TO 's3://" + bucket + "/out/run-1/' IAM_ROLE 'x' CSV");
        assertEquals(StatusString.FAILED, again.status());
        assertTrue(again.error().contains("ALLOWOVERWRITE"), again.error());

        DescribeStatementResponse parquet = runAndWait(c, "UNLOAD ('select 1') TO 's3://" + bucket + "/p/' IAM_ROLE 'x' FORMAT AS PARQUET");
        assertEquals(StatusString.FAILED, parquet.status());
        assertTrue(parquet.error().contains("FORMAT PARQUET is not supported"), parquet.error());

        DescribeStatementResponse none = runAndWait(c, "COPY cities FROM 's3://" + bucket + "/nothing/' IAM_ROLE 'x' CSV");
        assertEquals(StatusString.FAILED, none.status());
    }

    @Test
    void copyInsideAStoredProcedureReadsS3StaticallyAndThroughExecute() {
        String bucket = "proc-" + UUID.randomUUID().toString().substring(0, 8);
        s3.createBucket(b -> b.bucket(bucket));
        s3.putObject(b -> b.bucket(bucket).key("pipe/a.txt"), RequestBody.fromString("1|Oslo\n2|\n3|Bergen\n"));
        s3.putObject(b -> b.bucket(bucket).key("csv/a.csv"), RequestBody.fromString("id;city\n4;'Trond; heim'\n"));
        String c = cluster();
        runAndWait(c, "create table towns (id int, city varchar(64))");
        DescribeStatementResponse created = runAndWait(c, """
                CREATE OR REPLACE PROCEDURE load_towns(source varchar(1024))
                AS $$
                BEGIN
                    TRUNCATE towns;
                    EXECUTE 'COPY towns FROM ' || quote_literal(source) || ' IAM_ROLE default DELIMITER ''|''';
                    COPY towns FROM 's3://%s/csv/' IAM_ROLE default CSV QUOTE AS '''' DELIMITER ';' IGNOREHEADER 1;
                END;
                $$ LANGUAGE plpgsql
                """.formatted(bucket));
        assertEquals(StatusString.FINISHED, created.status(), created.error());

        DescribeStatementResponse call = runAndWait(c, "CALL load_towns(:source)", param("source", "s3://" + bucket + "/pipe/"));
        assertEquals(StatusString.FINISHED, call.status(), call.error());
        DescribeStatementResponse rows = runAndWait(c, "select id, coalesce(city, '<null>') from towns order by id");
        GetStatementResultResponse result = data.getStatementResult(b -> b.id(rows.id()));
        assertEquals(List.of("1 Oslo", "2 <null>", "3 Bergen", "4 Trond; heim"), result.records().stream()
                .map(r -> r.get(0).longValue() + " " + r.get(1).stringValue()).toList());

        DescribeStatementResponse missing = runAndWait(c, "CALL load_towns(:source)", param("source", "s3://" + bucket + "/none/"));
        assertEquals(StatusString.FAILED, missing.status());
        assertTrue(missing.error().contains("The specified S3 prefix 'none/' does not exist"), missing.error());
        DescribeStatementResponse kept = runAndWait(c, "select count(*) from towns");
        assertEquals(4L, data.getStatementResult(b -> b.id(kept.id())).records().get(0).get(0).longValue(),
                "a failed COPY rolls the whole CALL back, TRUNCATE included");
    }

    @Test
    void serverlessNamespacesSnapshotsTagsAndRestoreRoundTrip() {
        String ns = "ns-" + UUID.randomUUID().toString().substring(0, 8);
        String wg = "wg-" + ns.substring(3);
        serverless.createNamespace(b -> b.namespaceName(ns).dbName("dev"));
        serverless.createWorkgroup(b -> b.workgroupName(wg).namespaceName(ns).baseCapacity(8));
        assertEquals("AVAILABLE", serverless.getNamespace(b -> b.namespaceName(ns)).namespace().statusAsString());
        assertEquals(ns, serverless.getWorkgroup(b -> b.workgroupName(wg)).workgroup().namespaceName());
        assertTrue(serverless.getNamespace(b -> b.namespaceName(ns)).namespace().creationDate() != null);

        awaitDone(data.executeStatement(b -> b.workgroupName(wg).database("dev").sql("create table kept (v int)")).id());
        awaitDone(data.executeStatement(b -> b.workgroupName(wg).database("dev").sql("insert into kept values (1)")).id());

        Snapshot snap = serverless.createSnapshot(b -> b.namespaceName(ns).snapshotName(ns + "-snap-1")
                .tags(Tag.builder().key("createdBy").value("Shiftwork Snapshot Manager").build())).snapshot();
        assertEquals("AVAILABLE", snap.statusAsString());
        assertTrue(snap.snapshotCreateTime() != null);
        assertEquals(Map.of("createdBy", "Shiftwork Snapshot Manager"), tags(snap.snapshotArn()));
        serverless.tagResource(b -> b.resourceArn(snap.snapshotArn()).tags(Tag.builder().key("scheduleNamespace").value("daily").build()));
        assertEquals("daily", tags(snap.snapshotArn()).get("scheduleNamespace"));
        assertEquals(snap.snapshotArn(), serverless.getSnapshot(b -> b.snapshotName(ns + "-snap-1")).snapshot().snapshotArn());
        serverless.createSnapshot(b -> b.namespaceName(ns).snapshotName(ns + "-snap-2"));
        var page = serverless.listSnapshots(b -> b.namespaceName(ns).maxResults(1));
        assertEquals(1, page.snapshots().size());
        assertEquals(1, serverless.listSnapshots(b -> b.namespaceName(ns).nextToken(page.nextToken())).snapshots().size());

        awaitDone(data.executeStatement(b -> b.workgroupName(wg).database("dev").sql("insert into kept values (2)")).id());
        local.setting("restoreMillis", 400);
        var restored = serverless.restoreFromSnapshot(b -> b.namespaceName(ns).workgroupName(wg).snapshotName(ns + "-snap-1"));
        assertEquals("MODIFYING", restored.namespace().statusAsString());
        await().atMost(Duration.ofSeconds(5)).until(() -> "AVAILABLE".equals(
                serverless.getNamespace(b -> b.namespaceName(ns)).namespace().statusAsString()));
        String q = data.executeStatement(b -> b.workgroupName(wg).database("dev").sql("select count(*) from kept")).id();
        awaitDone(q);
        assertEquals(1L, data.getStatementResult(b -> b.id(q)).records().get(0).get(0).longValue(), "restored to the snapshot");

        serverless.deleteSnapshot(b -> b.snapshotName(ns + "-snap-2"));
        assertThrows(software.amazon.awssdk.services.redshiftserverless.model.ResourceNotFoundException.class,
                () -> serverless.getSnapshot(b -> b.snapshotName(ns + "-snap-2")));
        assertTrue(serverless.listNamespaces(b -> b.maxResults(100)).namespaces().stream()
                .anyMatch(n -> n.namespaceName().equals(ns)));
        assertTrue(serverless.listWorkgroups(b -> b.maxResults(100)).workgroups().stream()
                .anyMatch(w -> w.workgroupName().equals(wg)));
        assertEquals("DELETING", serverless.deleteWorkgroup(b -> b.workgroupName(wg)).workgroup().statusAsString());
        await().atMost(Duration.ofSeconds(5)).until(() -> serverless.listWorkgroups(b -> b.maxResults(100)).workgroups()
                .stream().noneMatch(w -> w.workgroupName().equals(wg)));
        serverless.deleteNamespace(b -> b.namespaceName(ns));
        assertThrows(software.amazon.awssdk.services.redshiftserverless.model.ResourceNotFoundException.class,
                () -> serverless.getNamespace(b -> b.namespaceName(ns)));
    }

    private Map<String, String> tags(String arn) {
        Map<String, String> out = new java.util.HashMap<>();
        serverless.listTagsForResource(b -> b.resourceArn(arn)).tags().forEach(t -> out.put(t.key(), t.value()));
        return out;
    }

    @Test
    void boto3WorksAgainstTheEmulatorToo() throws Exception {
        Process check = new ProcessBuilder("python3", "-c", "import boto3").start();
        org.junit.jupiter.api.Assumptions.assumeTrue(check.waitFor() == 0, "boto3 is not installed");
        createCluster("boto");
        String script = """
                import boto3, time, sys
                c = boto3.client('redshift-data', endpoint_url=sys.argv[1], region_name='us-east-1',
                                 aws_access_key_id='local', aws_secret_access_key='local')
                sid = c.execute_statement(ClusterIdentifier='boto', Database='dev', DbUser='u',
                                          Sql='select :a::int + 1 as n', Parameters=[{'name': 'a', 'value': '41'}])['Id']
                while c.describe_statement(Id=sid)['Status'] not in ('FINISHED', 'FAILED', 'ABORTED'):
                    time.sleep(0.01)
                d = c.describe_statement(Id=sid)
                r = c.get_statement_result(Id=sid)
                print(d['Status'], d['CreatedAt'].year, r['Records'][0][0]['longValue'], r['ColumnMetadata'][0]['name'])
                """;
        Process p = new ProcessBuilder("python3", "-c", script, local.redshiftEndpoint().toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertEquals(0, p.waitFor(), out);
        assertEquals("FINISHED " + java.time.Year.now().getValue() + " 42 n", out);
    }

    private DescribeStatementResponse runAs(String cluster, String user, String sql) {
        return awaitDone(data.executeStatement(b -> b.clusterIdentifier(cluster).database("dev").dbUser(user).sql(sql)).id());
    }

    private String firstValue(DescribeStatementResponse d) {
        assertEquals(StatusString.FINISHED, d.status(), d.queryString() + ": " + d.error());
        return data.getStatementResult(b -> b.id(d.id())).records().get(0).get(0).stringValue();
    }

    /**
     * A database user's statement runs on a session logged in as that user: it cannot make itself the superuser
     * (SET SESSION AUTHORIZATION on a superuser's session could be undone), and no setting it makes reaches a later
     * statement, its own user's or another's.
     */
    @Test
    void aDatabaseUserCannotBecomeTheSuperuserNorLeaveSettingsBehind() {
        String c = cluster();
        assertEquals(StatusString.FINISHED, runAs(c, "awsuser", "create user rs_reader password 'Reader-only-0'").status());

        DescribeStatementResponse sameStatement = runAs(c, "rs_reader",
                "select set_config('session_authorization', 'postgres', false) || '/' || current_user");
        if (sameStatement.status() == StatusString.FINISHED) {
            assertFalse(firstValue(sameStatement).endsWith("/postgres"), "the same statement stayed rs_reader");
        } else {
            assertTrue(sameStatement.error().contains("permission denied"), sameStatement.error());
        }
        assertEquals("rs_reader", firstValue(runAs(c, "rs_reader", "select current_user")), "the next statement too");
        assertEquals("rs_reader", firstValue(runAs(c, "rs_reader", "select session_user")));
        assertEquals(StatusString.FAILED, runAs(c, "rs_reader", "set role postgres").status());
        DescribeStatementResponse file = runAs(c, "rs_reader", "select pg_read_file('postgresql.conf')");
        assertEquals(StatusString.FAILED, file.status(), "a superuser's function");
        assertTrue(file.error().contains("permission denied"), file.error());

        // a setting made by one statement is gone for the next, whoever runs it (each statement has its own session)
        assertEquals(StatusString.FINISHED, runAs(c, "rs_reader", "select set_config('statement_timeout', '1', false)").status());
        assertEquals(StatusString.FINISHED, runAs(c, "rs_reader", "select pg_sleep(0.05)").status());
        assertEquals(StatusString.FINISHED, runAs(c, "awsuser", "select pg_sleep(0.05)").status());
        assertEquals(StatusString.FINISHED, runAs(c, "awsuser", "select set_config('statement_timeout', '1', false)").status());
        assertEquals(StatusString.FINISHED, runAs(c, "awsuser", "select pg_sleep(0.05)").status());
        assertEquals(StatusString.FINISHED, runAs(c, "rs_reader", "select pg_sleep(0.05)").status());
        assertEquals("0", firstValue(runAs(c, "rs_reader", "select current_setting('statement_timeout')")));
    }

    /**
     * A statement may use only a database its cluster or namespace has: its DBName at creation (default dev), one
     * made by CREATE DATABASE, a restored one. Any other is accepted and fails, as Redshift's connection does, and no
     * database is created for it.
     */
    @Test
    void aStatementOnADatabaseThatDoesNotExistFailsAndCreateDatabaseMakesOne() {
        String c = cluster();
        DescribeStatementResponse missing = awaitDone(data.executeStatement(b -> b.clusterIdentifier(c).database("nosuchdb")
                .dbUser("awsuser").sql("select 1")).id());
        assertEquals(StatusString.FAILED, missing.status());
        assertTrue(missing.error().contains("database \"nosuchdb\" does not exist"), missing.error());
        DescribeStatementResponse batch = awaitDone(data.batchExecuteStatement(b -> b.clusterIdentifier(c).database("nosuchdb")
                .dbUser("awsuser").sqls("select 1", "select 2")).id());
        assertEquals(StatusString.FAILED, batch.status());
        assertEquals("FAILED", batch.subStatements().get(0).statusAsString());
        assertEquals("ABORTED", batch.subStatements().get(1).statusAsString());

        assertEquals(StatusString.FINISHED, runAs(c, "awsuser", "create database nosuchdb").status());
        DescribeStatementResponse again = runAs(c, "awsuser", "create database nosuchdb");
        assertTrue(again.error().contains("database \"nosuchdb\" already exists"), again.error());
        assertEquals(StatusString.FINISHED, awaitDone(data.executeStatement(b -> b.clusterIdentifier(c).database("nosuchdb")
                .dbUser("awsuser").sql("create table t (x int)")).id()).status());
        DescribeStatementResponse inBatch = awaitDone(data.batchExecuteStatement(b -> b.clusterIdentifier(c).database("dev")
                .dbUser("awsuser").sqls("select 1", "create database other")).id());
        assertTrue(inBatch.error().contains("cannot run inside a transaction block"), inBatch.error());
        runAs(c, "awsuser", "create user rs_plain password 'Plain-user-0'");
        DescribeStatementResponse denied = runAs(c, "rs_plain", "create database mine");
        assertTrue(denied.error().contains("permission denied to create database"), denied.error());
        assertEquals(StatusString.FAILED, runAs(c, "awsuser", "create database bad garbage").status());

        assertEquals(StatusString.FINISHED, runAs(c, "awsuser", "drop database nosuchdb").status());
        assertEquals(StatusString.FAILED, awaitDone(data.executeStatement(b -> b.clusterIdentifier(c).database("nosuchdb")
                .dbUser("awsuser").sql("select 1")).id()).status(), "dropped");
        assertEquals(StatusString.FINISHED, runAs(c, "awsuser", "drop database if exists nosuchdb").status());

        // a namespace has its dbName, not dev
        String ns = "ns-" + UUID.randomUUID().toString().substring(0, 8);
        String wg = "wg-" + ns.substring(3);
        serverless.createNamespace(b -> b.namespaceName(ns).dbName("warehouse"));
        serverless.createWorkgroup(b -> b.workgroupName(wg).namespaceName(ns).baseCapacity(8));
        DescribeStatementResponse dev = awaitDone(data.executeStatement(b -> b.workgroupName(wg).database("dev").sql("select 1")).id());
        assertTrue(dev.error().contains("database \"dev\" does not exist"), dev.error());
        assertEquals(StatusString.FINISHED, awaitDone(data.executeStatement(b -> b.workgroupName(wg).database("warehouse")
                .sql("create database dev")).id()).status());
        assertEquals(StatusString.FINISHED,
                awaitDone(data.executeStatement(b -> b.workgroupName(wg).database("dev").sql("select 1")).id()).status());
    }

    private void admin(String command, String body) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                local.redshiftEndpoint().resolve("/_emulator/" + command))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
    }
}
