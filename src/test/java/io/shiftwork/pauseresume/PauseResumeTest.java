package io.shiftwork.pauseresume;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
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
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.redshift.RedshiftClient;
import software.amazon.awssdk.services.s3.S3Client;

/** Pause/resume against moto: CPU seeded in CloudWatch, clusters really paused and resumed. */
@QuarkusTest
@TestProfile(PauseResumeTest.Clusters.class)
@QuarkusTestResource(value = LocalAwsTestResource.class, restrictToAnnotatedClass = true)
class PauseResumeTest {

    public static class Clusters implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("shiftwork.pause-resume.clusters.quiet.enabled", "true",
                    "shiftwork.pause-resume.clusters.crowded.enabled", "true",
                    "shiftwork.pause-resume.clusters.connected.enabled", "true",
                    "shiftwork.pause-resume.clusters.spare.enabled", "true",
                    "shiftwork.pause-resume.backfill-days", "3");
        }
    }

    @Inject
    CloudWatchClient cloudWatch;
    @Inject
    RedshiftClient redshift;
    @Inject
    S3Client s3;
    @Inject
    PauseResumeManager manager;

    private void cluster(String id) {
        redshift.createCluster(b -> b.clusterIdentifier(id).nodeType("ra3.xlplus").masterUsername("admin")
                .masterUserPassword("Passw0rd-not-secret").numberOfNodes(2));
    }

    private void seed(String id, String metric, double value) {
        CpuSeed.twoDays(cloudWatch, id, metric, at -> value);
    }

    private String status(String id) {
        return redshift.describeClusters(b -> b.clusterIdentifier(id)).clusters().get(0).clusterStatus();
    }

    private void awaitStatus(String id, String wanted) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> wanted.equals(status(id)));
    }

    @Test
    void anIdleClusterIsPausedByPlanAndResumedOnRequestWhileABusyOneIsLeftAlone() {
        cluster("quiet");
        cluster("crowded");
        cluster("connected");
        for (String id : List.of("quiet", "crowded", "connected")) {
            awaitStatus(id, "available"); // as on AWS, "creating" first
        }
        seed("quiet", "CPUUtilization", 1.5);
        seed("quiet", "DatabaseConnections", 0);
        seed("crowded", "DatabaseConnections", 0);
        seed("crowded", "CPUUtilization", 85);
        seed("connected", "CPUUtilization", 1.0);
        seed("connected", "DatabaseConnections", 7);

        String runId = given().contentType(ContentType.JSON).body("{}").post("/pipelines/pause-resume/runs").then()
                .statusCode(202).extract().path("runId");
        await().atMost(Duration.ofSeconds(30)).until(() -> "SUCCEEDED".equals(given().get("/runs/" + runId).path("status")));
        JsonPath run = given().get("/runs/" + runId).jsonPath();
        assertEquals(1, run.getList("steps.find { it.name == 'plan-quiet' }.output.windows").size());
        assertEquals(0, run.getList("steps.find { it.name == 'plan-crowded' }.output.windows").size(), "always busy: never paused");

        String csv = s3.getObjectAsBytes(b -> b.bucket("shiftwork-cpu-history").key("cpu-history/quiet.csv")).asUtf8String();
        String[] lines = csv.split("\n");
        assertEquals("item_id,timestamp,target_value", lines[0]);
        assertTrue(lines[1].matches("quiet,\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2},1\\.5"), lines[1]);
        assertEquals(2 * 288 - 12, lines.length - 1, "the hole stays a hole: no zeros written");
        for (int i = 1; i < lines.length; i++) {
            assertTrue(lines[i].matches("quiet,[-0-9]{10} \\d{2}:\\d[05]:00,.*"), "5-minute periods on 5-minute boundaries: " + lines[i]);
        }

        manager.execute();
        // as on AWS, a pause passes through "pausing" (MotoFidelityTest), a resume through "resuming"
        assertTrue(List.of("pausing", "paused").contains(status("quiet")), () -> given().get("/pipelines/cluster-pause/runs").asString());
        awaitStatus("quiet", "paused");
        assertEquals("available", status("crowded"));
        assertEquals("available", status("connected"), "7 open connections: the guard skips the window");
        given().get("/pipelines/cluster-pause/runs").then().statusCode(200)
                .body("parameters.action", org.hamcrest.Matchers.hasItem(containsString("7 database connections")));
        manager.execute();
        assertEquals("paused", status("quiet"), "idempotent: a second tick changes nothing");

        given().post("/clusters/quiet/resume").then().statusCode(200).body("resumed", equalTo(true));
        awaitStatus("quiet", "available");
        manager.execute();
        assertEquals("available", status("quiet"), "a requested resume holds automatic pauses");
        given().get("/pipelines/cluster-resume/runs").then().statusCode(200)
                .body("[0].steps[0].awsIds.clusterIdentifier", equalTo("quiet"));

        given().get("/clusters/quiet/plan.svg").then().statusCode(200).contentType(containsString("image/svg+xml"))
                .body(containsString("<svg"), containsString("class=\"pause\""), containsString("class=\"threshold\""),
                        containsString("class=\"actual\""), containsString("class=\"upper\""), containsString("class=\"savings\""));
        // the plan states what it is expected to save (2 × ra3.xlplus at 1.086 by default)
        given().get("/clusters/quiet/plan").then().statusCode(200).body("clusterId", equalTo("quiet"))
                .body("savings.nodes", equalTo(2)).body("savings.nodeType", equalTo("ra3.xlplus"))
                .body("savings.pausedHours", org.hamcrest.Matchers.greaterThan(0f))
                .body("savings.savedVsAlwaysOn", org.hamcrest.Matchers.greaterThan(0f))
                .body("savings.fixedSchedulePausedHours", org.hamcrest.Matchers.notNullValue())
                .body("savings.savedVsFixedSchedule", org.hamcrest.Matchers.notNullValue());
        given().get("/clusters/nope/plan").then().statusCode(404);
    }

    @Test
    void manualControlRejectsUnknownClustersAndBadTimes() {
        given().post("/clusters/nope/resume").then().statusCode(404).body("error", equalTo("not_found"));
        given().post("/clusters/spare/hold?until=tomorrow").then().statusCode(400).body("error", equalTo("invalid_parameter_value"));
        given().post("/clusters/spare/hold").then().statusCode(400).body("error", equalTo("missing_parameter"));
        String runId = given().header(io.shiftwork.TestTokens.bearer("operator"))
                .post("/clusters/spare/hold?until=2030-01-01T00:00:00Z").then().statusCode(200)
                .body("holdUntil", equalTo("2030-01-01T00:00:00Z")).extract().path("runId");
        given().get("/runs/" + runId).then().statusCode(200)
                .body("pipeline", equalTo("cluster-hold"))
                .body("trigger", equalTo("http"))
                .body("startedBy.principal", equalTo("operator"))
                .body("startedBy.sourceAddress", equalTo("127.0.0.1"))
                .body("parameters.action", containsString("asked by operator"));
        // configured but unknown to Redshift: 404, the hold untouched
        given().header(io.shiftwork.TestTokens.bearer("operator")).post("/clusters/spare/resume").then().statusCode(404)
                .body("message", containsString("Redshift does not know it"));
        // a resume on request never shortens the operator's longer hold (found by a breaker: it did)
        cluster("spare");
        await().atMost(java.time.Duration.ofSeconds(30)).until(() -> "available".equals(status("spare")));
        given().header(io.shiftwork.TestTokens.bearer("operator")).post("/clusters/spare/resume").then().statusCode(200)
                .body("holdUntil", equalTo("2030-01-01T00:00:00Z"));
        given().get("/clusters/spare/plan").then().body("holdUntil", equalTo("2030-01-01T00:00:00Z"));
    }
}
