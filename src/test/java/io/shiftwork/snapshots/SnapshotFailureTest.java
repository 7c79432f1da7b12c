package io.shiftwork.snapshots;

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

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.shiftwork.LocalAwsTestResource;
import software.amazon.awssdk.services.redshift.RedshiftClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** One schedule pointing at a cluster that does not exist: it fails alone, is recorded and alerted. */
@QuarkusTest
@TestProfile(SnapshotFailureTest.GhostCluster.class)
@QuarkusTestResource(value = LocalAwsTestResource.class, restrictToAnnotatedClass = true)
class SnapshotFailureTest {

    public static class GhostCluster implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("shiftwork.snapshots.schedules.a-ghost.target", "ghost",
                    "shiftwork.snapshots.schedules.a-ghost.interval", "1 hours",
                    "shiftwork.snapshots.schedules.b-real.target", "real",
                    "shiftwork.snapshots.schedules.b-real.interval", "1 hours");
        }
    }

    @Inject
    RedshiftClient redshift;
    @Inject
    SnsClient sns;
    @Inject
    SqsClient sqs;

    @Test
    void aFailingScheduleIsRecordedAndAlertedWithoutStoppingTheOthers() {
        redshift.createCluster(b -> b.clusterIdentifier("real").nodeType("ra3.xlplus").masterUsername("admin")
                .masterUserPassword("Passw0rd-not-secret").numberOfNodes(2));
        // like AWS, a new cluster is "creating" for a while, then has an automated snapshot to copy
        await().atMost(Duration.ofSeconds(20)).until(() -> redshift.describeClusterSnapshots(b -> b.clusterIdentifier("real")
                .snapshotType("automated")).snapshots().stream().anyMatch(s -> "available".equals(s.status())));
        String topic = sns.listTopics().topics().stream().map(t -> t.topicArn()).filter(a -> a.endsWith(":shiftwork-support")).findFirst().orElseThrow();
        String url = sqs.createQueue(b -> b.queueName("snapshot-alerts")).queueUrl();
        String arn = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
        sns.subscribe(b -> b.topicArn(topic).protocol("sqs").endpoint(arn).attributes(Map.of("RawMessageDelivery", "true")));

        String runId = given().contentType(ContentType.JSON).body("{}").post("/pipelines/snapshots/runs").then().statusCode(202).extract().path("runId");
        await().atMost(Duration.ofSeconds(20)).until(() -> "FAILED".equals(given().get("/runs/" + runId).path("status")));
        JsonPath run = given().get("/runs/" + runId).jsonPath();
        assertEquals("1 of 2 snapshot schedules failed: a-ghost", run.getString("error"));
        assertEquals("FAILED", run.getString("steps.find { it.name == 'schedule-a-ghost' }.status"));
        assertTrue(run.getString("steps.find { it.name == 'schedule-a-ghost' }.error").contains("ClusterNotFound"),
                run.getString("steps.find { it.name == 'schedule-a-ghost' }.error"));
        assertEquals("SUCCEEDED", run.getString("steps.find { it.name == 'schedule-b-real' }.status"), "the ghost did not stop the next schedule");
        assertTrue(run.getString("steps.find { it.name == 'schedule-b-real' }.output.copiedFrom").startsWith("rs:real-"),
                "production default: a copy of the automated snapshot");
        assertEquals(1, redshift.describeClusterSnapshots(b -> b.clusterIdentifier("real")).snapshots().stream()
                .filter(s -> "manual".equals(s.snapshotType())).count());

        List<Message> alerts = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            alerts.addAll(sqs.receiveMessage(b -> b.queueUrl(url).waitTimeSeconds(1)).messages());
            return alerts.stream().anyMatch(m -> m.body().contains(runId));
        });
        assertTrue(alerts.stream().anyMatch(m -> m.body().contains("schedule-a-ghost")));
    }
}
