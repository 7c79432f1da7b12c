package io.shiftwork.pipelines;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.shiftwork.LocalAwsTestResource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

@QuarkusTest
@QuarkusTestResource(value = LocalAwsTestResource.class, restrictToAnnotatedClass = true)
class PipelinesApiTest {

    @Inject
    DynamoDbClient dynamo;

    @ConfigProperty(name = "shiftwork.runs.table")
    String table;

    @ConfigProperty(name = "quarkus.dynamodb.endpoint-override")
    String dynamoEndpoint;

    @ConfigProperty(name = "shiftwork.aws.endpoint-override")
    String awsEndpoint;

    static String startSmoke(String body) {
        return given().contentType(ContentType.JSON).body(body)
                .when().post("/pipelines/smoke/runs")
                .then().statusCode(202)
                .header("Location", matchesPattern(".*/runs/[0-9a-f-]{36}$"))
                .body("status", equalTo("RUNNING"))
                .body("runId", notNullValue())
                .extract().path("runId");
    }

    static Response awaitStatus(String runId, String status) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(
                () -> status.equals(given().get("/runs/" + runId).path("status")));
        return given().get("/runs/" + runId);
    }

    private int storedRuns() {
        return dynamo.scan(b -> b.tableName(table)).count();
    }

    @Test
    void theTestProfilePointsEveryAwsClientAtTheEmulator() {
        assertTrue(awsEndpoint.startsWith("http://127.0.0.1:"), awsEndpoint);
        assertEquals(awsEndpoint, dynamoEndpoint);
        assertTrue(dynamo.listTables().tableNames().contains(table), "bootstrap created " + table);
    }

    @Test
    void aSmokeRunRecordsItsStepAndSucceedsInDynamoDb() {
        String runId = startSmoke("{\"name\":\"Redshift\"}");
        awaitStatus(runId, "SUCCEEDED").then()
                .body("pipeline", equalTo("smoke"))
                .body("trigger", equalTo("http"))
                .body("parameters.name", equalTo("Redshift"))
                .body("parameters.delayMs", equalTo(0))
                .body("createdAt", notNullValue())
                .body("finishedAt", notNullValue())
                .body("steps", hasSize(1))
                .body("steps[0].name", equalTo("greet"))
                .body("steps[0].status", equalTo("SUCCEEDED"))
                .body("steps[0].output", equalTo("Hello, Redshift!"))
                .body("steps[0].durationMs", notNullValue());

        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                .key(Map.of("runId", AttributeValue.fromS(runId)))).item();
        assertEquals("SUCCEEDED", item.get("status").s());
        assertEquals("smoke", item.get("pipeline").s());
        long ttl = Long.parseLong(item.get("expiresAt").n());
        long created = Long.parseLong(item.get("createdAtMs").n()) / 1000;
        assertEquals(Duration.ofDays(30).toSeconds(), ttl - created, "TTL is the configured retention");
    }

    @Test
    void aSlowRunIsReadableWhileRunning() {
        String runId = startSmoke("{\"delayMs\": 1500}");
        given().get("/runs/" + runId).then().statusCode(200).body("status", equalTo("RUNNING"));
        awaitStatus(runId, "SUCCEEDED");
    }

    @Test
    void aFailingFlowFailsTheRunAndItsStepWithTheError() {
        String runId = startSmoke("{\"fail\": true}");
        awaitStatus(runId, "FAILED").then()
                .body("error", equalTo("the smoke run was asked to fail"))
                .body("steps[0].status", equalTo("FAILED"))
                .body("steps[0].error", equalTo("the smoke run was asked to fail"));
    }

    @Test
    void runsOfAPipelineAreListedNewestFirstUpToTheLimit() {
        String first = startSmoke("{\"name\":\"one\"}");
        String second = startSmoke("{\"name\":\"two\"}");
        String third = startSmoke("{\"name\":\"three\"}");
        awaitStatus(third, "SUCCEEDED");
        given().get("/pipelines/smoke/runs?limit=2").then().statusCode(200)
                .body("runId", equalTo(java.util.List.of(third, second)));
        given().get("/pipelines/smoke/runs?limit=100").then().statusCode(200)
                .body("runId", hasItem(first));
        given().get("/pipelines").then().statusCode(200)
                .body("find { it.name == 'smoke' }.triggers.http", equalTo("POST /pipelines/smoke/runs"))
                .body("find { it.name == 'smoke' }.lastRun.runId", equalTo(third))
                .body("find { it.name == 'smoke' }.parameters.name", hasItem("delayMs"));
    }

    @Test
    void unknownPipelineOrRunIs404WithAJsonError() {
        given().contentType(ContentType.JSON).body("{}").post("/pipelines/nope/runs").then().statusCode(404)
                .body("error", equalTo("not_found"))
                .body("message", containsString("no pipeline named 'nope'"))
                .body("message", containsString("smoke"));
        given().get("/pipelines/nope/runs").then().statusCode(404).body("error", equalTo("not_found"));
        given().get("/runs/does-not-exist").then().statusCode(404)
                .body("error", equalTo("not_found"))
                .body("message", equalTo("no run with id 'does-not-exist'"));
        given().get("/no/such/path").then().statusCode(404).body("error", equalTo("not_found"));
    }

    @Test
    void badInputIs400NamingTheProblemAndCreatesNothing() {
        int before = storedRuns();
        given().contentType(ContentType.JSON).body("{\"name\": ").post("/pipelines/smoke/runs").then()
                .statusCode(400).body("error", equalTo("malformed_json"))
                .body("message", startsWith("request body is not valid JSON"));
        given().contentType(ContentType.JSON).body("[1]").post("/pipelines/smoke/runs").then()
                .statusCode(400).body("error", equalTo("invalid_parameters"));
        given().contentType(ContentType.JSON).body("{\"delayMs\": \"soon\"}").post("/pipelines/smoke/runs").then()
                .statusCode(400).body("error", equalTo("invalid_parameter_type"))
                .body("message", containsString("'delayMs'"));
        given().contentType(ContentType.JSON).body("{\"colour\": \"red\"}").post("/pipelines/smoke/runs").then()
                .statusCode(400).body("error", equalTo("unknown_parameter"))
                .body("message", containsString("'colour'"));
        given().get("/pipelines/smoke/runs?limit=0").then().statusCode(400).body("error", equalTo("invalid_limit"));
        given().get("/pipelines/smoke/runs?limit=ten").then().statusCode(400).body("error", equalTo("invalid_limit"));
        assertEquals(before, storedRuns(), "no run was stored for bad input");
    }

    @Test
    void healthMetricsAndOpenApiAreServed() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'aws' }.status", equalTo("UP"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        String runId = startSmoke("{}");
        awaitStatus(runId, "SUCCEEDED");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> given().get("/q/metrics").then().statusCode(200)
                .body(containsString("shiftwork_pipeline_runs_total{pipeline=\"smoke\",status=\"SUCCEEDED\"}"))
                .body(containsString("shiftwork_pipeline_run_duration_seconds_count{pipeline=\"smoke\"")));
        given().get("/q/openapi").then().statusCode(200).body(containsString("/pipelines/{name}/runs"));
    }
}
