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
import software.amazon.awssdk.services.redshiftserverless.model.ResourceNotFoundException;

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
            return Map.of("shiftwork.datashare.producer", "ds-producer",
                    "shiftwork.datashare.consumers", "ds-consumer-a,ds-consumer-b",
                    "shiftwork.datashare.schemas", "sales",
                    "shiftwork.datashare.share", "sales_share",
                    "shiftwork.datashare.consumer-database", "sales_db");
        }
    }

    @Inject
    RedshiftDataClient data;
    @Inject
    RedshiftServerlessClient serverless;
    @Inject
    DatashareConfig config;

    @BeforeEach
    void namespaces() {
        assertEquals("sales_share", config.share(), "the profile's datashare keys took effect");
        for (String name : List.of("ds-producer", "ds-consumer-a", "ds-consumer-b")) {
            try {
                serverless.getWorkgroup(b -> b.workgroupName(name));
            } catch (ResourceNotFoundException absent) {
                serverless.createNamespace(b -> b.namespaceName(name).dbName("dev"));
                serverless.createWorkgroup(b -> b.workgroupName(name).namespaceName(name).baseCapacity(8));
                if (name.equals("ds-producer")) {
                    sql(name, "CREATE SCHEMA sales");
                    sql(name, "CREATE TABLE sales.orders (id integer, amount decimal(10,2))");
                    sql(name, "INSERT INTO sales.orders VALUES (1, 10.50), (2, 20.00)");
                }
            }
        }
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

        assertEquals(2, count("ds-consumer-a", "SELECT count(*) FROM sales_db.sales.orders"));
        assertEquals(2, count("ds-consumer-b", "SELECT count(*) FROM sales_db.sales.orders"));

        java.time.Instant rerun = java.time.Instant.now();
        JsonPath second = runPipeline("{}");
        assertEquals(List.of("datashare-checked"), second.getList("steps.name"), "a re-run plans no statement");
        assertEquals(List.of(), second.getList("steps[0].output.statements"));
        assertEquals(List.of(), flowStatements(rerun), "no CREATE/ALTER/GRANT submitted the second time");
    }

    @Test
    void aConsumersCountFollowsProducerInsertsAndFailsAfterItsGrantIsRevoked() {
        runPipeline("{}");
        long before = count("ds-consumer-a", "SELECT count(*) FROM sales_db.sales.orders");
        sql("ds-producer", "INSERT INTO sales.orders VALUES (100, 1.00), (101, 2.00)");
        assertEquals(before + 2, count("ds-consumer-a", "SELECT count(*) FROM sales_db.sales.orders"));

        // consumer b left out of this run: its grant is revoked, a keeps reading
        JsonPath narrowed = runPipeline("{\"consumers\": \"ds-consumer-a\"}");
        assertEquals(List.of("datashare-checked", "datashare-revoke-1"), narrowed.getList("steps.name"));
        DescribeStatementResponse refused = run("ds-consumer-b", "SELECT count(*) FROM sales_db.sales.orders");
        assertEquals(StatusString.FAILED, refused.status());
        assertTrue(refused.error().contains("not shared"), refused.error());
        assertEquals(before + 2, count("ds-consumer-a", "SELECT count(*) FROM sales_db.sales.orders"));

        // the configured consumers again: b is granted again and its database still there
        JsonPath again = runPipeline("{}");
        assertEquals(List.of("datashare-checked", "datashare-grant-2"), again.getList("steps.name"));
        assertEquals(before + 2, count("ds-consumer-b", "SELECT count(*) FROM sales_db.sales.orders"));
    }

    @Test
    void aConsumerOutsideTheConfigurationIsRefused() {
        given().contentType(ContentType.JSON).body("{\"consumers\": \"someone-else\"}").post("/pipelines/datashare/runs")
                .then().statusCode(202);
        given().contentType(ContentType.JSON).body("{\"consumers\": \"x'; drop\"}").post("/pipelines/datashare/runs")
                .then().statusCode(400);
    }
}
