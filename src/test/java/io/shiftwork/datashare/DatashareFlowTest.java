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
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
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
                    // routed reads (POST /queries) on the two consumers, as a user with only SELECT
                    Map.entry("shiftwork.queries.consumers", "ds-consumer-a,ds-consumer-b"),
                    Map.entry("shiftwork.queries.secret-arn", READER_SECRET),
                    // its name: the datashare flow grants it USAGE on each consumer's datashare database
                    Map.entry("shiftwork.queries.db-user", READER),
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

    static final String READER_SECRET = io.shiftwork.local.LocalSecrets.arn("us-east-1", "shiftwork/queries-reader");
    static final String READER = "shiftwork_reader";

    io.shiftwork.Emulators emulators;
    @Inject
    RedshiftDataClient data;
    @Inject
    RedshiftServerlessClient serverless;
    @Inject
    DatashareConfig config;
    @Inject
    io.shiftwork.pool.ConsumerProbe probe;
    @Inject
    io.shiftwork.local.demo.AirlineDemo airlineDemo;

    @BeforeEach
    void namespaces() {
        assertEquals("sales_share", config.share(), "the profile's datashare keys took effect");
        // what the local run's demo installs (sql/airline and the generated sample); idempotent
        airlineDemo.install("file:sql");
        readerUser();
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
        return data.listStatements(b -> b.statementName(prefix).status("ALL").maxResults(100)).statements().stream()
                .filter(s -> !s.createdAt().isBefore(since)).map(StatementData::queryString).toList();
    }

    @Test
    @org.junit.jupiter.api.Order(1) // the first datashare run of the class: it creates everything
    void aProducerTableIsReadableFromTwoConsumersAndARerunChangesNothing() {
        java.time.Instant before = java.time.Instant.now().minusMillis(5);
        JsonPath first = runPipeline("{}");
        List<String> steps = first.getList("steps.name");
        assertEquals("datashare-checked", steps.get(0));
        assertTrue(steps.containsAll(List.of("datashare-create", "datashare-add-schema-1", "datashare-add-tables-1",
                "datashare-grant-1", "datashare-grant-2", "datashare-create-database-1", "datashare-create-database-2",
                "datashare-grant-reader-1", "datashare-grant-reader-2")), steps.toString());
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
        assertTrue(submitted.contains("GRANT USAGE ON DATABASE sales_db TO " + READER), submitted.toString());

        // no hand-run grant: the read-only user reads the shared tables on both consumers right after the run
        java.util.Set<String> served = new java.util.HashSet<>();
        for (int i = 0; i < 4; i++) {
            JsonPath read = asReader().body("{\"sql\": \"SELECT count(*) AS n FROM sales_db.airline.bookings\"}")
                    .post("/queries").then().statusCode(200).extract().jsonPath();
            assertEquals(AirlineSample.BOOKINGS, read.getLong("rows[0][0]"), read.prettify());
            served.add(read.getString("consumer"));
        }
        assertEquals(java.util.Set.of("ds-consumer-a", "ds-consumer-b"), served);
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
        // the pool's check: SELECT 1 still passes on b; a check-sql reading the shared database sees the revoke
        String checkSql = "SELECT 1 FROM sales_db.airline.bookings LIMIT 1";
        assertTrue(probe.check("ds-consumer-b", "dev", Duration.ofSeconds(2), "SELECT 1").passed());
        io.shiftwork.pool.ConsumerProbe.Result revoked = probe.check("ds-consumer-b", "dev", Duration.ofSeconds(2), checkSql);
        assertTrue(!revoked.passed() && !revoked.inconclusive(), revoked.toString());
        assertTrue(probe.check("ds-consumer-a", "dev", Duration.ofSeconds(2), checkSql).passed());

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

    // ---- routed reads (POST /queries) over the shared tables

    /**
     * What an admin of each consumer does once for routed reads: a user with only SELECT (its credentials in a
     * Secrets Manager secret, the only way to choose the Data API's user on Serverless); the datashare run grants it
     * the shared database. Users are per namespace in Redshift; the local Redshift's PostgreSQL has one set, hence
     * "exists".
     */
    private static boolean readerReady;
    private static boolean userReady;

    private void readOnlyUser() {
        if (readerReady) {
            return; // the share, the user and its grants outlive each test of the class (the other tests re-grant)
        }
        runPipeline("{}"); // grants the user USAGE on sales_db (shiftwork.queries.db-user)
        for (String consumer : List.of("ds-consumer-a", "ds-consumer-b")) {
            // PUBLIC may create tables in schema public by default (PostgreSQL before 15, Redshift): not a reader
            sql(consumer, "REVOKE CREATE ON SCHEMA public FROM PUBLIC");
        }
        readerReady = true;
    }

    /** The user and its secret, before any datashare run: the flow refuses to plan a grant to a missing user. */
    private void readerUser() {
        if (userReady) {
            return;
        }
        String password = io.shiftwork.local.LocalSecrets.password();
        new io.shiftwork.local.LocalSecrets(emulators.motoEndpoint(), "us-east-1").putUser("shiftwork/queries-reader",
                READER, password);
        for (String consumer : List.of("ds-consumer-a", "ds-consumer-b")) {
            DescribeStatementResponse created = run(consumer, "CREATE USER " + READER + " PASSWORD '" + password + "'");
            assertTrue(created.status() == StatusString.FINISHED || created.error().contains("already exists"),
                    String.valueOf(created.error()));
            run(consumer, "ALTER USER " + READER + " PASSWORD '" + password + "'");
        }
        userReady = true;
    }

    private static io.restassured.specification.RequestSpecification asReader() {
        return given().header(io.shiftwork.TestTokens.bearer("reader")).contentType(ContentType.JSON);
    }

    @Test
    void aRoutedReadReturnsEveryPageUpToItsRowLimitAsTheReadOnlyUser() {
        readOnlyUser();
        String sql = "SELECT booking_id, fare_class, fare_amount FROM sales_db.airline.bookings WHERE fare_class = :fare "
                + "ORDER BY booking_id";
        String body = "{\"sql\": \"" + sql + "\", \"parameters\": {\"fare\": \"ECONOMY\"}, \"maxRows\": 20}";
        given().header(io.shiftwork.TestTokens.bearer("viewer")).contentType(ContentType.JSON).body(body).post("/queries")
                .then().statusCode(403).body("error", org.hamcrest.Matchers.equalTo("forbidden"));
        given().filter(io.shiftwork.TestTokens.anonymous()).contentType(ContentType.JSON).body(body).post("/queries")
                .then().statusCode(401);
        emulators.setting("resultPageRows", 7);
        try {
            JsonPath limited = asReader().body(body).post("/queries").then().statusCode(200).extract().jsonPath();
            assertEquals(20, limited.getInt("rowCount"));
            assertEquals(20, limited.getList("rows").size());
            assertEquals(true, limited.getBoolean("truncated"));
            assertEquals(3, limited.getInt("pages"), "7 + 7 + 6 of the third page: no fourth page read");
            assertTrue(limited.getLong("totalRows") > 20, limited.prettify());
            assertEquals(List.of("booking_id", "fare_class", "fare_amount"), limited.getList("columns.name"));
            assertEquals("ECONOMY", limited.getString("rows[0][1]"));
            assertTrue(List.of("ds-consumer-a", "ds-consumer-b").contains(limited.getString("consumer")));
            DescribeStatementResponse ran = data.describeStatement(b -> b.id(limited.getString("queryId")));
            assertEquals(READER_SECRET, ran.secretArn(), "run as the read-only user's secret");
            assertEquals("fare", ran.queryParameters().get(0).name(), "the value went as a Data API parameter");
            assertTrue(!ran.queryString().contains("ECONOMY"), ran.queryString());

            JsonPath whole = asReader().body("{\"sql\": \"SELECT booking_id FROM sales_db.airline.bookings ORDER BY "
                    + "booking_id LIMIT 30\"}").post("/queries").then().statusCode(200).extract().jsonPath();
            assertEquals(30, whole.getInt("rowCount"));
            assertEquals(false, whole.getBoolean("truncated"));
            assertEquals(5, whole.getInt("pages"), "every page: 7, 7, 7, 7, 2");
            assertEquals(30L, whole.getLong("totalRows"));
        } finally {
            emulators.setting("resultPageRows", 0);
        }
        // both consumers serve reads (least in flight, ties in turn)
        java.util.Set<String> consumers = new java.util.HashSet<>();
        for (int i = 0; i < 4; i++) {
            consumers.add(asReader().body("{\"sql\": \"SELECT count(*) AS n FROM sales_db.airline.bookings\"}")
                    .post("/queries").then().statusCode(200).extract().path("consumer"));
        }
        assertEquals(java.util.Set.of("ds-consumer-a", "ds-consumer-b"), consumers);
    }

    @Test
    void aReadOfADatabaseTheConsumerDoesNotHaveSaysToRunTheDatashareFirst() {
        readOnlyUser();
        String body = "{\"sql\": \"SELECT count(*) AS n FROM not_shared_db.airline.bookings\"}";
        String message = asReader().body(body).post("/queries").then().statusCode(422)
                .body("error", org.hamcrest.Matchers.equalTo("query_failed"))
                .body("hint", org.hamcrest.Matchers.containsString("no database 'not_shared_db'"))
                .extract().path("message");
        assertTrue(message.contains("cross-database references are not implemented"), "the original error: " + message);
        assertTrue(message.contains("the consumer has no database 'not_shared_db' yet — has the datashare run "
                + "(POST /pipelines/datashare/runs) created it?"), message);
        // asynchronously: GET /queries/{id} keeps Redshift's error and adds the hint
        String id = asReader().body(body.replace("}", ", \"async\": true}")).post("/queries").then().statusCode(202)
                .extract().path("queryId");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> "FAILED".equals(
                given().header(io.shiftwork.TestTokens.bearer("reader")).get("/queries/" + id).path("status")));
        JsonPath failed = given().header(io.shiftwork.TestTokens.bearer("reader")).get("/queries/" + id).jsonPath();
        assertTrue(failed.getString("error").contains("cross-database references are not implemented"), failed.prettify());
        assertTrue(failed.getString("hint").contains("'not_shared_db'"), failed.prettify());
        // Redshift's own shape gets it too; any other error none (no guess)
        assertEquals(java.util.Optional.of("the consumer has no database 'airline' yet — has the datashare run "
                + "(POST /pipelines/datashare/runs) created it?"),
                io.shiftwork.queries.RoutedReads.missingDatabaseHint("ERROR: database \"airline\" does not exist"));
        assertEquals(java.util.Optional.empty(), io.shiftwork.queries.RoutedReads.missingDatabaseHint(
                "ERROR: relation \"airline.bookings\" does not exist"));
        assertEquals(java.util.Optional.empty(), io.shiftwork.queries.RoutedReads.missingDatabaseHint(
                "ERROR: permission denied for database airline"));
        // a read of a database the run created and granted answers as usual
        asReader().body("{\"sql\": \"SELECT count(*) AS n FROM sales_db.airline.bookings\"}").post("/queries").then()
                .statusCode(200);
    }

    @Test
    void writesAreRefusedBeforeSubmitAndTheRowsStayUnchanged() {
        readOnlyUser();
        java.time.Instant since = java.time.Instant.now().minusMillis(5);
        long before = count("ds-producer", "SELECT count(*) FROM airline.bookings");
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("WITH d AS (DELETE FROM sales_db.airline.bookings RETURNING *) SELECT count(*) FROM d", "not_a_read");
        refused.put("SELECT * INTO public.stolen FROM sales_db.airline.bookings", "not_a_read");
        refused.put("SELECT 1; DELETE FROM sales_db.airline.bookings", "multiple_statements");
        refused.put("SELECT 1 /* ; */ ; DELETE FROM sales_db.airline.bookings -- ;", "multiple_statements");
        refused.put("SELECT 'a;b' AS s; DROP TABLE sales_db.airline.bookings", "multiple_statements");
        refused.put("DELETE FROM sales_db.airline.bookings", "not_a_read");
        refused.put("SELECT * FROM sales_db.airline.bookings FOR UPDATE", "not_a_read");
        for (Map.Entry<String, String> e : refused.entrySet()) {
            String body = "{\"sql\": " + com.fasterxml.jackson.databind.node.TextNode.valueOf(e.getKey()) + "}";
            String message = asReader().body(body).post("/queries").then().statusCode(400)
                    .body("error", org.hamcrest.Matchers.equalTo(e.getValue())).extract().path("message");
            assertTrue(message != null && !message.isBlank(), e.getKey());
        }
        asReader().body("{\"sql\": \"SELECT :a\", \"parameters\": {\"a; drop\": \"1\"}}").post("/queries").then()
                .statusCode(400).body("error", org.hamcrest.Matchers.equalTo("invalid_parameter_name"));
        asReader().body("{\"sql\": \"SELECT 1\", \"database\": \"dev; drop\"}").post("/queries").then()
                .statusCode(400).body("error", org.hamcrest.Matchers.equalTo("invalid_database"));
        asReader().body("{\"sql\": \"SELECT :a\"}").post("/queries").then()
                .statusCode(400).body("error", org.hamcrest.Matchers.equalTo("missing_parameter"));
        asReader().body("{\"sql\": \"SELECT 1\", \"sql\": \"DELETE FROM t\"}").post("/queries").then()
                .statusCode(400).body("error", org.hamcrest.Matchers.equalTo("malformed_json"));
        assertEquals(before, count("ds-producer", "SELECT count(*) FROM airline.bookings"), "no row deleted");
        assertEquals(before, count("ds-consumer-a", "SELECT count(*) FROM sales_db.airline.bookings"));
        List<String> submitted = data.listStatements(b -> b.statementName("shiftwork-query").status("ALL").maxResults(100)).statements()
                .stream().filter(st -> !st.createdAt().isBefore(since)).map(StatementData::queryString).toList();
        assertEquals(List.of(), submitted, "nothing refused reached the Data API");

        // the backstop: what the user itself may do, whatever reaches Redshift (a table of the consumer's own)
        sql("ds-consumer-a", "CREATE TABLE IF NOT EXISTS public.reader_probe (a int)");
        sql("ds-consumer-a", "INSERT INTO public.reader_probe VALUES (1)");
        sql("ds-consumer-a", "GRANT SELECT ON public.reader_probe TO " + READER);
        long probes = count("ds-consumer-a", "SELECT count(*) FROM public.reader_probe");
        DescribeStatementResponse write = asUser("ds-consumer-a", "DELETE FROM public.reader_probe");
        assertEquals(StatusString.FAILED, write.status());
        assertTrue(write.error().contains("permission denied"), write.error());
        DescribeStatementResponse sharedWrite = asUser("ds-consumer-a", "DELETE FROM sales_db.airline.bookings");
        assertEquals(StatusString.FAILED, sharedWrite.status());
        assertTrue(sharedWrite.error().contains("permission denied"), sharedWrite.error());
        DescribeStatementResponse created = asUser("ds-consumer-a", "CREATE TABLE public.reader_made (a int)");
        assertEquals(StatusString.FAILED, created.status(), "the reader may not create tables either");
        assertTrue(created.error().contains("permission denied"), created.error());
        assertEquals(StatusString.FINISHED, asUser("ds-consumer-a", "SELECT count(*) FROM public.reader_probe").status());
        assertEquals(probes, count("ds-consumer-a", "SELECT count(*) FROM public.reader_probe"));
        assertEquals(before, count("ds-producer", "SELECT count(*) FROM airline.bookings"));
    }

    @Test
    void numberParametersKeepTheirExactTextAndANulCharacterIsRefusedBeforeSubmit() {
        readOnlyUser();
        java.time.Instant since = java.time.Instant.now().minusMillis(5);
        JsonPath exact = asReader().body("{\"sql\": \"SELECT CAST(:big AS numeric(38,0)) AS big, CAST(:small AS "
                + "numeric(38,20)) AS small, CAST(:tenth AS numeric(10,2)) AS tenth\", \"parameters\": {\"big\": "
                + "12345678901234567890, \"small\": 0.10000000000000000001, \"tenth\": 0.10}}").post("/queries")
                .then().statusCode(200).extract().jsonPath();
        assertEquals("12345678901234567890", exact.getString("rows[0][0]"), exact.prettify());
        assertEquals("0.10000000000000000001", exact.getString("rows[0][1]"), exact.prettify());
        Map<String, String> sent = new java.util.HashMap<>();
        data.describeStatement(b -> b.id(exact.getString("queryId"))).queryParameters()
                .forEach(p -> sent.put(p.name(), p.value()));
        assertEquals(Map.of("big", "12345678901234567890", "small", "0.10000000000000000001", "tenth", "0.10"), sent,
                "the Data API parameters carry each number as it was written");

        asReader().body("{\"sql\": \"SELECT :name AS n\", \"parameters\": {\"name\": \"a\\u0000b\"}}").post("/queries")
                .then().statusCode(400).body("error", org.hamcrest.Matchers.equalTo("invalid_parameter_value"))
                .body("parameter", org.hamcrest.Matchers.equalTo("name"))
                .body("message", org.hamcrest.Matchers.containsString("'name'"));
        asReader().body("{\"sql\": \"SELECT 'a\\u0000b' AS n\"}").post("/queries")
                .then().statusCode(400).body("error", org.hamcrest.Matchers.equalTo("unreadable_sql"))
                .body("field", org.hamcrest.Matchers.equalTo("sql"))
                .body("message", org.hamcrest.Matchers.containsString("NUL"));
        List<String> submitted = data.listStatements(b -> b.statementName("shiftwork-query").status("ALL").maxResults(100)).statements()
                .stream().filter(st -> !st.createdAt().isBefore(since)).map(StatementData::queryString).toList();
        assertEquals(1, submitted.size(), "only the read of numbers reached the Data API: " + submitted);
    }

    private DescribeStatementResponse asUser(String workgroup, String sql) {
        String id = data.executeStatement(b -> b.workgroupName(workgroup).database("dev").secretArn(READER_SECRET)
                .sql(sql)).id();
        DescribeStatementResponse[] last = new DescribeStatementResponse[1];
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).until(() -> {
            last[0] = data.describeStatement(b -> b.id(id));
            return List.of(StatusString.FINISHED, StatusString.FAILED, StatusString.ABORTED).contains(last[0].status());
        });
        return last[0];
    }

    @Test
    void anAsynchronousReadIsReadLaterAndASubmitErrorFailsOverToTheOtherConsumer() {
        readOnlyUser();
        String queryId = asReader().body("{\"sql\": \"SELECT count(*) AS n FROM sales_db.airline.bookings\", "
                + "\"async\": true}").post("/queries").then().statusCode(202)
                .header("Location", org.hamcrest.Matchers.containsString("/queries/")).extract().path("queryId");
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() -> "FINISHED".equals(
                given().header(io.shiftwork.TestTokens.bearer("reader")).get("/queries/" + queryId).path("status")));
        JsonPath later = given().header(io.shiftwork.TestTokens.bearer("reader")).get("/queries/" + queryId).jsonPath();
        assertEquals(List.of("n"), later.getList("columns.name"));
        assertTrue(later.getLong("rows[0][0]") >= AirlineSample.BOOKINGS, later.prettify());
        // a statement that is not a routed read (the admin's own) is not readable here
        String admins = run("ds-consumer-a", "SELECT 1").id();
        given().header(io.shiftwork.TestTokens.bearer("reader")).get("/queries/" + admins).then().statusCode(404);

        // only its submitter reads it back, or an admin; anyone else gets the 404 of an unknown id
        given().header(io.shiftwork.TestTokens.bearer("admin")).get("/queries/" + queryId).then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("FINISHED"));
        String adminsRead = given().header(io.shiftwork.TestTokens.bearer("admin")).contentType(ContentType.JSON)
                .body("{\"sql\": \"SELECT 1 AS one\", \"async\": true}").post("/queries").then().statusCode(202)
                .extract().path("queryId");
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() -> "FINISHED".equals(
                given().header(io.shiftwork.TestTokens.bearer("admin")).get("/queries/" + adminsRead).path("status")));
        JsonPath notYours = given().header(io.shiftwork.TestTokens.bearer("reader")).get("/queries/" + adminsRead)
                .then().statusCode(404).extract().jsonPath();
        JsonPath unknown = given().header(io.shiftwork.TestTokens.bearer("reader"))
                .get("/queries/" + java.util.UUID.randomUUID()).then().statusCode(404).extract().jsonPath();
        assertEquals(unknown.getString("error"), notYours.getString("error"));
        assertTrue(!notYours.prettify().contains("admin"), notYours.prettify());
        String tagged = data.describeStatement(b -> b.id(adminsRead)).queryString();
        assertTrue(tagged.startsWith("/* shiftwork-query owner=") && tagged.endsWith("*/ SELECT 1 AS one"), tagged);

        // failover: the first consumer tried refuses the submit; the read runs on the other one
        emulators.refuse("reader_failover_probe", "ValidationException", 1);
        JsonPath failedOver = asReader().body("{\"sql\": \"SELECT 'reader_failover_probe' AS probe\"}").post("/queries")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(1, failedOver.getList("failovers").size(), failedOver.prettify());
        String refusedBy = failedOver.getString("failovers[0].consumer");
        assertTrue(failedOver.getString("failovers[0].error").contains("refused by the local Redshift"));
        assertEquals(java.util.Set.of("ds-consumer-a", "ds-consumer-b"),
                java.util.Set.of(refusedBy, failedOver.getString("consumer")), "the other consumer answered");
        assertEquals("reader_failover_probe", failedOver.getString("rows[0][0]"));

        // every consumer refusing: 502 naming each
        emulators.refuse("reader_failover_probe", "ValidationException", 2);
        asReader().body("{\"sql\": \"SELECT 'reader_failover_probe' AS probe\"}").post("/queries").then()
                .statusCode(502).body("error", org.hamcrest.Matchers.equalTo("consumers_unavailable"))
                .body("failovers.size()", org.hamcrest.Matchers.equalTo(2));

        // submitted, then the Data API stops answering (every attempt of a DescribeStatement throttled): a 503 that
        // names the read, which ran on and can be read later (it answered 503 without its id, "nothing was started")
        emulators.throttleNext("DescribeStatement", 3);
        String stranded = asReader().body("{\"sql\": \"SELECT 'stranded' AS s\"}").post("/queries").then()
                .statusCode(503).header("Retry-After", "5").body("error", org.hamcrest.Matchers.equalTo("aws_unavailable"))
                .extract().path("queryId");
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> "FINISHED".equals(
                given().header(io.shiftwork.TestTokens.bearer("reader")).get("/queries/" + stranded).path("status")));
        assertEquals("stranded", given().header(io.shiftwork.TestTokens.bearer("reader")).get("/queries/" + stranded)
                .path("rows[0][0]"));
    }

    @Inject
    io.shiftwork.TestClock clock;

    private static io.restassured.specification.RequestSpecification as(String user) {
        return given().header(io.shiftwork.TestTokens.bearer(user));
    }

    @Test
    void anAsynchronousReadKeepsItsRowLimitTimesOutAndIsCancelledByItsOwner() {
        readOnlyUser();
        // found by the breaker: maxRows applies to an asynchronous read as to a synchronous one
        String limited = asReader().body("{\"sql\": \"SELECT g FROM generate_series(1,50) g ORDER BY g\", \"maxRows\": 2, "
                + "\"async\": true}").post("/queries").then().statusCode(202).extract().path("queryId");
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() -> "FINISHED".equals(
                as("reader").get("/queries/" + limited).path("status")));
        JsonPath two = as("reader").get("/queries/" + limited).jsonPath();
        assertEquals(List.of(List.of(1), List.of(2)), two.getList("rows"), two.prettify());
        assertEquals(true, two.getBoolean("truncated"));
        assertEquals(50L, two.getLong("totalRows"));
        assertEquals(2, as("admin").get("/queries/" + limited).jsonPath().getInt("rowCount"), "the admin's read too");

        // found by the breaker: an asynchronous read had no timeout. Past shiftwork.queries.timeout (30 s) from its
        // submit, GET cancels it and answers FAILED with the timeout; the Data API holds it ABORTED
        emulators.fault("hang", "async_timeout_probe", null, 0);
        String hung = asReader().body("{\"sql\": \"SELECT 'async_timeout_probe' AS p\", \"async\": true}").post("/queries")
                .then().statusCode(202).extract().path("queryId");
        assertTrue(List.of("SUBMITTED", "PICKED", "STARTED").contains(as("reader").get("/queries/" + hung).path("status")));
        try {
            clock.advance(Duration.ofSeconds(31));
            JsonPath timedOut = as("reader").get("/queries/" + hung).then().statusCode(200).extract().jsonPath();
            assertEquals("FAILED", timedOut.getString("status"), timedOut.prettify());
            assertEquals(true, timedOut.getBoolean("timedOut"));
            assertTrue(timedOut.getString("error").startsWith("query_timeout: the read did not finish within "
                    + "shiftwork.queries.timeout (PT30S)"), timedOut.getString("error"));
        } finally {
            clock.reset();
        }
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> data.describeStatement(b -> b.id(hung)).status() == StatusString.ABORTED);
        // (later GETs tell it timed out from its UpdatedAt - CreatedAt; here the local Redshift's own clock did not
        // move, so it answers ABORTED)

        // DELETE /queries/{id}: its owner (or an admin) cancels a running read; 404 for anyone else; 409 once ended
        emulators.fault("hang", "async_cancel_probe", null, 0);
        emulators.fault("hang", "async_cancel_probe", null, 0); // one fault a statement: the reader's, the admin's
        String running = asReader().body("{\"sql\": \"SELECT 'async_cancel_probe' AS p\", \"async\": true}")
                .post("/queries").then().statusCode(202).extract().path("queryId");
        String adminsRunning = as("admin").contentType(ContentType.JSON)
                .body("{\"sql\": \"SELECT 'async_cancel_probe' AS p\", \"async\": true}").post("/queries").then()
                .statusCode(202).extract().path("queryId");
        as("reader").delete("/queries/" + adminsRunning).then().statusCode(404);
        as("reader").delete("/queries/" + java.util.UUID.randomUUID()).then().statusCode(404);
        as("reader").delete("/queries/not-an-id").then().statusCode(404);
        as("viewer").delete("/queries/" + running).then().statusCode(403);
        as("reader").delete("/queries/" + running).then().statusCode(202)
                .body("queryId", org.hamcrest.Matchers.equalTo(running))
                .body("cancelled", org.hamcrest.Matchers.equalTo(true));
        as("admin").delete("/queries/" + adminsRunning).then().statusCode(202);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> "ABORTED".equals(
                as("reader").get("/queries/" + running).path("status")));
        assertEquals(StatusString.ABORTED, data.describeStatement(b -> b.id(running)).status());
        as("reader").delete("/queries/" + running).then().statusCode(409)
                .body("error", org.hamcrest.Matchers.equalTo("query_ended"))
                .body("status", org.hamcrest.Matchers.equalTo("ABORTED"));
        as("reader").delete("/queries/" + limited).then().statusCode(409)
                .body("status", org.hamcrest.Matchers.equalTo("FINISHED"));
    }

    @Inject
    io.shiftwork.queries.ReadSweep readSweep;

    private List<String> sweptAmong(List<String> ids) {
        return readSweep.sweep().stream().map(io.shiftwork.queries.ReadSweepPlanner.Cancel::id).filter(ids::contains).toList();
    }

    @Test
    void theSweepCancelsAnAsynchronousReadNobodyPollsPastTheTimeoutAndNoPipelineStatement() {
        readOnlyUser();
        // routes/queries-sweep.camel.yaml is loaded; its master: timer is off in tests (the test sweeps itself)
        assertEquals(org.apache.camel.ServiceStatus.Stopped, camel.getRouteController().getRouteStatus("queries-sweep"),
                "%test.shiftwork.queries.sweep-scheduled=false took effect");
        // a read submitted asynchronously and never polled, and on the same consumer two statements running as long:
        // a pipeline's, and one named as reads are but without the owner's comment
        emulators.fault("hang", "sweep_probe_read", null, 0);
        JsonPath submitted = asReader().body("{\"sql\": \"SELECT 'sweep_probe_read' AS p\", \"async\": true}")
                .post("/queries").then().statusCode(202).extract().jsonPath();
        String read = submitted.getString("queryId");
        String consumer = submitted.getString("consumer");
        emulators.fault("hang", "sweep_probe_pipeline", null, 0);
        String pipeline = data.executeStatement(b -> b.workgroupName(consumer).database("dev")
                .statementName("shiftwork/datashare/sweep-probe").sql("SELECT 'sweep_probe_pipeline' AS p")).id();
        emulators.fault("hang", "sweep_probe_untagged", null, 0);
        String untagged = data.executeStatement(b -> b.workgroupName(consumer).database("dev")
                .statementName("shiftwork-query").sql("SELECT 'sweep_probe_untagged' AS p")).id();
        List<String> mine = List.of(read, pipeline, untagged);
        try {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> mine.stream()
                    .allMatch(id -> data.describeStatement(b -> b.id(id)).status() == StatusString.STARTED));
            assertEquals(List.of(), sweptAmong(mine), "within shiftwork.queries.timeout nothing is cancelled");
            clock.advance(Duration.ofSeconds(31));
            List<io.shiftwork.queries.ReadSweepPlanner.Cancel> swept = readSweep.sweep();
            List<io.shiftwork.queries.ReadSweepPlanner.Cancel> ours = swept.stream().filter(c -> mine.contains(c.id())).toList();
            assertEquals(1, ours.size(), swept.toString());
            assertEquals(read, ours.get(0).id());
            assertEquals(consumer, ours.get(0).consumer());
            assertTrue(ours.get(0).age().compareTo(Duration.ofSeconds(31)) >= 0, ours.toString());
            // the Data API holds the read ABORTED; the other two still run
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> data.describeStatement(b -> b.id(read)).status() == StatusString.ABORTED);
            assertEquals(StatusString.STARTED, data.describeStatement(b -> b.id(pipeline)).status());
            assertEquals(StatusString.STARTED, data.describeStatement(b -> b.id(untagged)).status());
            // the next sweep has nothing more to do with them
            assertEquals(List.of(), sweptAmong(mine));
        } finally {
            clock.reset();
            for (String id : List.of(pipeline, untagged)) {
                data.cancelStatement(b -> b.id(id));
            }
        }
        given().get("/q/metrics").then().statusCode(200).body(org.hamcrest.Matchers.containsString(
                "shiftwork_queries_swept_total{consumer=\"" + consumer + "\"}"));
    }

    @Test
    void aHundredKilobytesOfSqlFitTheBodyLimitOfQueries() {
        readOnlyUser();
        // found by the breaker: the 64 KB body limit answered 413 before "sql" could reach its 100 KB. /queries takes
        // shiftwork.queries.max-body-size (256K): 100 KB of SQL, every line with quotes JSON escapes, fits
        StringBuilder sql = new StringBuilder("SELECT 1 AS one\n");
        while (sql.length() < 100_000 - 200) { // the Data API's 100 KB less the owner's comment (at most 80 bytes)
            sql.append("-- \"a pasted\" comment line\n");
        }
        String body = "{\"sql\": " + com.fasterxml.jackson.databind.node.TextNode.valueOf(sql.toString()) + "}";
        assertTrue(body.length() > 100_000, "over the general 64K limit and the SQL's own 100 KB: " + body.length());
        asReader().body(body).post("/queries").then().log().ifValidationFails().statusCode(200)
                .body("rows[0][0]", org.hamcrest.Matchers.equalTo(1));
        // over 100 KB of SQL: sql_too_long (not 413)
        sql.append("-- ".repeat(200));
        asReader().body("{\"sql\": " + com.fasterxml.jackson.databind.node.TextNode.valueOf(sql.toString()) + "}")
                .post("/queries").then().statusCode(400).body("error", org.hamcrest.Matchers.equalTo("sql_too_long"));
        // over 256K: 413; other endpoints keep 64K
        asReader().body("{\"sql\": \"SELECT 1 -- " + "x".repeat(300 * 1024) + "\"}").post("/queries").then()
                .statusCode(413).body("message", org.hamcrest.Matchers.containsString("shiftwork.queries.max-body-size"));
        given().contentType(ContentType.JSON).body("{\"x\": \"" + "x".repeat(70 * 1024) + "\"}")
                .post("/pipelines/datashare/runs").then().statusCode(413)
                .body("message", org.hamcrest.Matchers.containsString("shiftwork.http.max-body-size"));
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
