package io.shiftwork.statements;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** What the statement-engine tests do from outside: start runs over HTTP, wait for them, read a correlation. */
final class StatementRuns {

    private StatementRuns() {
    }

    /** POST /pipelines/{pipeline}/runs with the JSON body; the 202's runId. */
    static String start(String pipeline, String body) {
        return given().contentType(ContentType.JSON).body(body).post("/pipelines/" + pipeline + "/runs")
                .then().statusCode(202).extract().path("runId");
    }

    /** Waits until the run has the status, then returns it as stored. */
    static JsonPath awaitRun(String runId, String status, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(100))
                .until(() -> status.equals(given().get("/runs/" + runId).path("status")));
        return given().get("/runs/" + runId).jsonPath();
    }

    /** The correlation item of a statement (consistent read), null when there is none. */
    static Map<String, AttributeValue> correlation(DynamoDbClient dynamo, String table, String statementName) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).consistentRead(true)
                .key(Map.of("statementName", AttributeValue.fromS(statementName)))).item();
        return item == null || item.isEmpty() ? null : item;
    }
}
