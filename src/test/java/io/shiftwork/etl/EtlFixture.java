package io.shiftwork.etl;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** What the ETL tests do from outside: start runs over HTTP, read S3, read the notification topic through SQS. */
final class EtlFixture {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String BUCKET = "shiftwork-etl";
    static final String PREFIX = "nyc-taxi/volume-analysis";

    private EtlFixture() {
    }

    static String start(String pipeline, String body) {
        return given().contentType(ContentType.JSON).body(body).post("/pipelines/" + pipeline + "/runs")
                .then().statusCode(202).extract().path("runId");
    }

    static JsonPath awaitRun(String runId, String status) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            String now = given().get("/runs/" + runId).path("status");
            if (!status.equals(now) && ("SUCCEEDED".equals(now) || "FAILED".equals(now))) {
                throw new AssertionError("run " + runId + " ended " + now + ", expected " + status + ": "
                        + given().get("/runs/" + runId).asString());
            }
            return status.equals(now);
        });
        return given().get("/runs/" + runId).jsonPath();
    }

    /** Runs the setup pipeline and waits for it. */
    static JsonPath setup() {
        return awaitRun(start("etl-setup", "{}"), "SUCCEEDED");
    }

    static List<S3Object> objects(S3Client s3, String bucket, String prefix) {
        return s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix)).contents();
    }

    static String read(S3Client s3, String bucket, String key) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String();
    }

    /** A fresh SQS queue subscribed (raw delivery) to the notification topic. */
    static String subscribe(SnsClient sns, SqsClient sqs, String queue) {
        String topicArn = sns.listTopics().topics().stream().map(t -> t.topicArn())
                .filter(a -> a.endsWith(":shiftwork-etl-notifications")).findFirst().orElseThrow();
        String url = sqs.createQueue(b -> b.queueName(queue)).queueUrl();
        String arn = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        sns.subscribe(b -> b.topicArn(topicArn).protocol("sqs").endpoint(arn).attributes(Map.of("RawMessageDelivery", "true")));
        return url;
    }

    /** The notification about the run, once it arrives. */
    static JsonNode awaitMessage(SqsClient sqs, String url, String runId) throws Exception {
        List<Message> got = new ArrayList<>();
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            got.addAll(sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1)).messages());
            return got.stream().anyMatch(m -> m.body().contains(runId));
        });
        return JSON.readTree(got.stream().filter(m -> m.body().contains(runId)).findFirst().orElseThrow().body());
    }
}
