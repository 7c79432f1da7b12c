package io.shiftwork.pipelines;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
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
        // rest-assured compiles its JSON-path checks on first use, for seconds on a busy machine: not inside the 1.5 s
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
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
    void theDynamoDbClientHasTheRetriesAndTimeoutsOfEveryOtherClient() {
        // quarkus-amazon-dynamodb's own client made 9 attempts with no call timeout: a hung DynamoDB held an API
        // request for 274 s before its 503 (a newcomer's measurement)
        var o = dynamo.serviceClientConfiguration().overrideConfiguration();
        assertEquals(java.util.Optional.of(Duration.ofSeconds(30)), o.apiCallTimeout());
        assertEquals(java.util.Optional.of(Duration.ofSeconds(10)), o.apiCallAttemptTimeout());
        assertEquals(3, o.retryStrategy().orElseThrow().maxAttempts());
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
        // the document says what the API does: a JSON object in, 202 out, the 4xx answers listed
        given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .body("paths.'/pipelines/{name}/runs'.post.requestBody.content.'application/json'.schema.type", equalTo("object"))
                .body("paths.'/pipelines/{name}/runs'.post.responses.keySet()", hasItems("202", "400", "403", "404", "409", "413", "422"));
    }

    @Test
    void aRecordPipelineCannotBeStartedOverHttpSoNoRecordIsForged() {
        int before = storedRuns();
        given().contentType(ContentType.JSON).body("{\"cluster\":\"nonexistent\",\"action\":\"hacked\"}")
                .post("/pipelines/cluster-pause/runs").then().statusCode(403)
                .body("error", equalTo("not_startable"))
                .body("message", containsString("cluster-pause"));
        given().contentType(ContentType.JSON).body("{}").post("/pipelines/cluster-resume/runs").then().statusCode(403);
        given().contentType(ContentType.JSON).body("{}").post("/pipelines/cluster-hold/runs").then().statusCode(403);
        assertEquals(before, storedRuns(), "no record was written");
        given().get("/pipelines/cluster-pause/runs").then().statusCode(200).body("parameters.action", not(hasItem("hacked")));
        given().get("/pipelines").then().statusCode(200)
                .body("find { it.name == 'cluster-pause' }.record", equalTo(true))
                .body("find { it.name == 'cluster-pause' }.triggers.http", nullValue())
                .body("find { it.name == 'etl-unload-notify' }.concurrency", equalTo("one-at-a-time"))
                .body("find { it.name == 'smoke' }.parameters.find { it.name == 'delayMs' }.maximum", equalTo(60000))
                .body("find { it.name == 'smoke' }.parameters.find { it.name == 'name' }.maxLength", equalTo(64));
    }

    @Test
    void anOversizedParameterIs400NamingItAndItsLimit() {
        int before = storedRuns();
        given().contentType(ContentType.JSON).body("{\"delayMs\": 99999999999}").post("/pipelines/smoke/runs").then()
                .statusCode(400).body("error", equalTo("parameter_out_of_range"))
                .body("message", containsString("'delayMs'")).body("message", containsString("from 0 to 60000"));
        given().contentType(ContentType.JSON).body("{\"delayMs\": -1}").post("/pipelines/smoke/runs").then()
                .statusCode(400).body("error", equalTo("parameter_out_of_range"));
        given().contentType(ContentType.JSON).body("{\"name\": \"" + "x".repeat(65) + "\"}").post("/pipelines/smoke/runs")
                .then().statusCode(400).body("error", equalTo("parameter_too_long"))
                .body("message", containsString("'name'")).body("message", containsString("at most 64 characters, got 65"));
        given().contentType(ContentType.JSON)
                .body("{\"spname\": \"public.sp_etl_log_etl_event\", \"event_message\": \"" + "m".repeat(300) + "\"}")
                .post("/pipelines/stored-procedure/runs").then().statusCode(400)
                .body("error", equalTo("parameter_too_long")).body("message", containsString("'event_message'"))
                .body("message", containsString("at most 256"));
        assertEquals(before, storedRuns());
    }

    @Test
    void aBodyOverTheConfiguredSizeIs413WithAJsonError() {
        int before = storedRuns();
        String huge = "{\"spname\": \"public.sp_etl_log_etl_event\", \"event_message\": \"" + "m".repeat(500_000) + "\"}";
        given().contentType(ContentType.JSON).body(huge).post("/pipelines/stored-procedure/runs").then()
                .statusCode(413).contentType(ContentType.JSON)
                .body("error", equalTo("payload_too_large"))
                .body("message", containsString("at most 65536 bytes"));
        assertEquals(before, storedRuns());
    }

    @Test
    void theSameIdempotencyKeyAndBodyReturnTheSameRunAndAnotherBodyIs422() {
        String key = "retry-" + java.util.UUID.randomUUID();
        String first = given().contentType(ContentType.JSON).header("Idempotency-Key", key).body("{\"name\":\"once\"}")
                .post("/pipelines/smoke/runs").then().statusCode(202).extract().path("runId");
        int stored = storedRuns();
        given().contentType(ContentType.JSON).header("Idempotency-Key", key).body("{\"name\":\"once\"}")
                .post("/pipelines/smoke/runs").then().statusCode(202)
                .header("Idempotent-Replayed", "true")
                .header("Location", endsWith("/runs/" + first))
                .body("runId", equalTo(first));
        given().contentType(ContentType.JSON).header("Idempotency-Key", key).body("{\"name\":\"twice\"}")
                .post("/pipelines/smoke/runs").then().statusCode(422)
                .body("error", equalTo("idempotency_key_reused")).body("runId", equalTo(first));
        assertEquals(stored, storedRuns(), "neither the retry nor the other body stored a run");
        awaitStatus(first, "SUCCEEDED");

        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName("shiftwork-idempotency")
                .key(Map.of("idempotencyKey", AttributeValue.fromS("admin/" + key))).consistentRead(true)).item();
        assertEquals(first, item.get("runId").s());
        long ttl = Long.parseLong(item.get("expiresAt").n()) - System.currentTimeMillis() / 1000;
        assertTrue(ttl > Duration.ofHours(23).toSeconds() && ttl <= Duration.ofHours(24).toSeconds(), "expires in 24 h: " + ttl);

        String other = given().contentType(ContentType.JSON).header("Idempotency-Key", key + "-b").body("{\"name\":\"once\"}")
                .post("/pipelines/smoke/runs").then().statusCode(202).extract().path("runId");
        assertTrue(!other.equals(first), "another key, another run");
    }

    @Test
    void everyRunRecordsWhoStartedItHowAndFromWhere() {
        String runId = startSmoke("{}");
        awaitStatus(runId, "SUCCEEDED").then()
                .body("trigger", equalTo("http"))
                // the signed-in user of the default test token (TestTokens) and the roles its group maps to
                .body("startedBy.principal", equalTo("admin"))
                .body("startedBy.roles", equalTo(java.util.List.of("admin", "operator", "reader", "viewer")))
                .body("startedBy.trigger", equalTo("http"))
                .body("startedBy.sourceAddress", equalTo("127.0.0.1"));
        String doc = dynamo.getItem(b -> b.tableName(table).key(Map.of("runId", AttributeValue.fromS(runId)))).item()
                .get("doc").s();
        assertTrue(doc.contains("\"startedBy\":{\"principal\":\"admin\""), doc);
        // a header a client could forge names nobody
        String forged = given().contentType(ContentType.JSON).header("X-Forwarded-User", "someone-else").body("{}")
                .post("/pipelines/smoke/runs").then().statusCode(202).extract().path("runId");
        given().get("/runs/" + forged).then().body("startedBy.principal", equalTo("admin"));
    }

    @Test
    void corsIsOffUnlessConfigured() {
        given().header("Origin", "https://evil.example").get("/pipelines").then().statusCode(200)
                .header("Access-Control-Allow-Origin", nullValue());
        given().header("Origin", "https://evil.example").header("Access-Control-Request-Method", "POST")
                .options("/pipelines/smoke/runs").then().header("Access-Control-Allow-Origin", nullValue());
    }

    @Test
    void retriesRacingWithOneIdempotencyKeyStartOneRun() throws Exception {
        String key = "race-" + java.util.UUID.randomUUID();
        int before = storedRuns();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            java.util.List<java.util.concurrent.Future<String>> answers = new java.util.ArrayList<>();
            for (int n = 0; n < 6; n++) {
                answers.add(pool.submit(() -> given().contentType(ContentType.JSON).header("Idempotency-Key", key)
                        .body("{\"name\":\"race\"}").post("/pipelines/smoke/runs").then().statusCode(202)
                        .extract().path("runId")));
            }
            java.util.Set<String> runIds = new java.util.HashSet<>();
            for (java.util.concurrent.Future<String> a : answers) {
                runIds.add(a.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertEquals(1, runIds.size(), "every retry got the same run: " + runIds);
            awaitStatus(runIds.iterator().next(), "SUCCEEDED");
            assertEquals(before + 1, storedRuns(), "one run stored");
        } finally {
            pool.shutdownNow();
        }
    }
}
