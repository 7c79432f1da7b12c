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

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

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
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** A statement step that runs past its timeout is cancelled, and its run ends TIMED_OUT with an alert. */
@QuarkusTest
@TestProfile(StepTimeoutTest.ShortTimeout.class)
@QuarkusTestResource(value = LocalAwsTestResource.class, restrictToAnnotatedClass = true)
class StepTimeoutTest {

    static final Duration TIMEOUT = Duration.ofSeconds(3);

    public static class ShortTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("shiftwork.statements.step-timeout", TIMEOUT.toString(),
                    "shiftwork.stored-procedures.allowed", "public.sp_hangs",
                    "shiftwork.statements.event-timeout", "PT1S",
                    "shiftwork.statements.poll-initial", "PT0.2S",
                    "shiftwork.statements.poll-max", "PT1S",
                    "shiftwork.statements.poller-interval", "PT0.2S");
        }
    }

    @Inject
    RedshiftDataClient data;
    @Inject
    DynamoDbClient dynamo;
    @Inject
    SqsClient sqs;
    @Inject
    SnsClient sns;
    @Inject
    StatementsConfig config;

    Emulators local;

    @Test
    void aStepPastItsTimeoutIsCancelledAndItsRunEndsTimedOutWithAnAlert() throws Exception {
        assertEquals(TIMEOUT, config.stepTimeout(), "the profile's step timeout took effect");
        RedshiftSql redshift = new RedshiftSql(data, "shiftwork-test");
        redshift.runFiles("stored-procedures");
        redshift.run("CREATE OR REPLACE PROCEDURE public.sp_hangs(p_message varchar(256)) AS $$ "
                + "BEGIN INSERT INTO public.etl_events(event_time, message) VALUES (getdate(), p_message); END; $$ LANGUAGE plpgsql");
        String alerts = subscribeToSupportTopic();
        local.fault("hang", "sp_hangs", null, 0);

        String runId = given().contentType(ContentType.JSON)
                .body("{\"spname\": \"public.sp_hangs\", \"event_message\": \"too slow\"}")
                .post("/pipelines/stored-procedure/runs").then().statusCode(202).extract().path("runId");
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> "TIMED_OUT".equals(given().get("/runs/" + runId).path("status")));
        JsonPath run = given().get("/runs/" + runId).jsonPath();
        assertEquals("TIMED_OUT", run.getString("steps[0].status"));
        assertTrue(run.getString("error").contains("timed out after PT3S"), run.getString("error"));
        String statementId = run.getString("steps[0].awsIds.statementId");
        await().atMost(Duration.ofSeconds(10)).until(() -> data.describeStatement(b -> b.id(statementId)).status() == StatusString.ABORTED);

        String name = StatementNames.of("stored-procedure", runId, "call-procedure", 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> "ABORTED".equals(dynamo.getItem(b -> b.tableName(config.table())
                .consistentRead(true).key(Map.of("statementName", AttributeValue.fromS(name)))).item().get("status").s()));
        assertEquals("TIMED_OUT", given().get("/runs/" + runId).path("status"), "its ABORTED completion changed nothing");

        List<Message> got = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            got.addAll(sqs.receiveMessage(b -> b.queueUrl(alerts).maxNumberOfMessages(10).waitTimeSeconds(1)).messages());
            return got.stream().anyMatch(m -> m.body().contains(runId));
        });
        JsonNode alert = new ObjectMapper().readTree(got.stream().filter(m -> m.body().contains(runId)).findFirst().orElseThrow().body());
        assertEquals("TIMED_OUT", alert.get("status").asText());
        assertEquals("call-procedure", alert.get("step").asText());
    }

    private String subscribeToSupportTopic() {
        String topicArn = sns.listTopics().topics().stream().map(t -> t.topicArn())
                .filter(a -> a.endsWith(":shiftwork-support")).findFirst().orElseThrow();
        String url = sqs.createQueue(b -> b.queueName("timeout-alerts")).queueUrl();
        String arn = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        sns.subscribe(b -> b.topicArn(topicArn).protocol("sqs").endpoint(arn).attributes(Map.of("RawMessageDelivery", "true")));
        return url;
    }
}
