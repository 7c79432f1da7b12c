package io.shiftwork.pauseresume;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.shiftwork.Emulators;
import io.shiftwork.LocalAwsTestResource;
import io.shiftwork.RedshiftSql;
import io.shiftwork.TestClock;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.redshift.RedshiftClient;
import software.amazon.awssdk.services.redshift.model.Snapshot;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;

/**
 * Issue 14, requirements 6 and 7, against the strict local AWS (moto refuses snapshots of a paused cluster, the local
 * Redshift refuses statements on one): a pipeline whose statement is aimed at a cluster Shiftwork paused wakes it and
 * succeeds; a cluster paused by someone else fails the step saying so; a snapshot is taken before a pause that would
 * lapse a schedule's RPO; an open-ended pause shows in the plan and ends at its maximum; a resume asked for while the
 * cluster is still pausing waits for it.
 */
@QuarkusTest
@TestProfile(PausePipelinesTest.Clusters.class)
@QuarkusTestResource(value = LocalAwsTestResource.class, restrictToAnnotatedClass = true)
class PausePipelinesTest {

    public static class Clusters implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> m = new java.util.HashMap<>();
            for (String c : List.of("shiftwork-test", "rpo", "stopped", "steady", "drowsy", "sleepy")) {
                m.put("shiftwork.pause-resume.clusters." + c + ".enabled", "true");
            }
            m.put("shiftwork.pause-resume.backfill-days", "3");
            m.put("shiftwork.pause-resume.clusters.stopped.open-ended", "true");
            m.put("shiftwork.pause-resume.clusters.stopped.max-pause", "PT6H");
            m.put("shiftwork.pause-resume.clusters.stopped.zone", "Europe/Berlin");
            m.put("shiftwork.pause-resume.open-ended-after", "PT24H");
            m.put("shiftwork.pause-resume.resume-request-wait", "PT3S");
            m.put("shiftwork.snapshots.schedules.rpo.target", "rpo");
            m.put("shiftwork.snapshots.schedules.rpo.interval", "2 hours");
            m.put("shiftwork.statements.event-timeout", "PT1.5S");
            m.put("shiftwork.statements.poll-initial", "PT0.2S");
            m.put("shiftwork.statements.poller-interval", "PT0.2S");
            return m;
        }
    }

    @Inject
    CloudWatchClient cloudWatch;
    @Inject
    RedshiftClient redshift;
    @Inject
    RedshiftDataClient data;
    @Inject
    PauseResumeManager manager;
    @Inject
    PauseFixture pause;
    @Inject
    PlanStore plans;
    @Inject
    TestClock clock;
    @Inject
    MeterRegistry metrics;

    Emulators local;

    /** The moto extension's settings (POST /_shiftwork/config): how long pausing and resuming take, in real time. */
    private void transitionSeconds(double seconds) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                .newBuilder(local.motoEndpoint().resolve("/_shiftwork/config")).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"transitionSeconds\": " + seconds + "}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
    }

    @AfterEach
    void realTime() {
        clock.reset();
    }

    private void idle(String id, boolean create) {
        pause.idleCluster(id, create);
    }

    private String status(String id) {
        return pause.status(id);
    }

    private void awaitStatus(String id, String wanted) {
        pause.awaitStatus(id, wanted, id + " " + wanted);
    }

    private ClusterPlan.PlannedWindow first(String cluster) {
        return pause.first(cluster);
    }

    private double resumeCalls(String cluster) {
        return pause.resumeCalls(cluster);
    }

    private List<String> actions(String pipeline, String cluster) {
        return pause.actions(pipeline, cluster);
    }

    private static JsonPath runOf(String pipeline, String body) {
        String runId = given().contentType(ContentType.JSON).body(body).post("/pipelines/" + pipeline + "/runs")
                .then().statusCode(202).extract().path("runId");
        await(pipeline + " run ends").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> List
                .of("SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELLED").contains(given().get("/runs/" + runId).path("status")));
        return given().get("/runs/" + runId).jsonPath();
    }

    private static final String PROCEDURE = "{\"spname\": \"public.sp_etl_log_etl_event\", \"event_message\": \"inside the pause\"}";

    @Test
    void aStoredProcedureRunInsideAPauseWindowResumesTheClusterFirstAndSucceeds() {
        new RedshiftSql(data, "shiftwork-test").runFiles("stored-procedures");
        idle("shiftwork-test", false);
        manager.plan("shiftwork-test");
        manager.tick("shiftwork-test", clock.instant(), null);
        awaitStatus("shiftwork-test", "paused");
        ClusterPlan.PlannedWindow window = first("shiftwork-test");
        assertEquals("PAUSED", window.state());

        clock.advance(Duration.ofMinutes(20)); // inside the window
        JsonPath run = runOf("stored-procedure", PROCEDURE);
        assertEquals("SUCCEEDED", run.getString("status"), run.prettify());
        String woke = run.getString("steps[0].awsIds.clusterResumed");
        assertTrue(woke != null && woke.matches("resumed shiftwork-test for stored-procedure step call-procedure, waited \\d+ s"),
                run.prettify());
        assertEquals("available", status("shiftwork-test"));

        ClusterPlan.PlannedWindow after = first("shiftwork-test");
        assertEquals(window.pauseAt(), after.pauseAt());
        assertEquals("RESUMED", after.state(), "the window records the early resume: " + after);
        assertTrue(after.note().startsWith("resumed early: stored-procedure step call-procedure needs the cluster"), after.note());
        assertTrue(plans.pauseOf("shiftwork-test").isEmpty(), "no longer Shiftwork's pause");
        assertTrue(actions("cluster-resume", "shiftwork-test").stream().anyMatch(a -> a.startsWith("resumed: resumed early")),
                actions("cluster-resume", "shiftwork-test").toString());

        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofMinutes(5));
            manager.tick("shiftwork-test", clock.instant(), null);
        }
        assertEquals("available", status("shiftwork-test"), "not paused again in that window");
        assertEquals("RESUMED", first("shiftwork-test").state());
        assertEquals(1.0, resumeCalls("shiftwork-test"), "one ResumeCluster for the window");

        // paused by someone else: left alone, the step fails saying so
        redshift.pauseCluster(b -> b.clusterIdentifier("shiftwork-test"));
        awaitStatus("shiftwork-test", "paused");
        JsonPath refused = runOf("stored-procedure", PROCEDURE);
        assertEquals("FAILED", refused.getString("status"), refused.prettify());
        assertTrue(refused.prettify().contains("cluster shiftwork-test is paused and Shiftwork did not pause it"), refused.prettify());
        assertEquals("paused", status("shiftwork-test"), "a foreign pause is never undone");
        assertEquals(1.0, resumeCalls("shiftwork-test"));
        redshift.resumeCluster(b -> b.clusterIdentifier("shiftwork-test"));
        awaitStatus("shiftwork-test", "available");
    }

    @Test
    void aPauseThatWouldLetAScheduleRpoLapseTakesTheSnapshotFirst() {
        idle("rpo", true);
        manager.plan("rpo");
        ClusterPlan.PlannedWindow w = first("rpo");
        assertTrue(Duration.between(w.pauseAt(), w.resumeAt()).compareTo(Duration.ofHours(2)) > 0, "a window past the RPO: " + w);
        manager.tick("rpo", clock.instant(), null);
        awaitStatus("rpo", "paused");
        List<Snapshot> manual = redshift.describeClusterSnapshots(b -> b.clusterIdentifier("rpo")).snapshots().stream()
                .filter(s -> "manual".equals(s.snapshotType())).toList();
        assertEquals(1, manual.size(), manual.toString());
        assertTrue(manual.get(0).tags().stream().anyMatch(t -> t.key().equals("scheduleNamespace") && t.value().equals("rpo")));
        String recorded = actions("cluster-pause", "rpo").stream().filter(a -> a.startsWith("paused:")).findFirst().orElseThrow();
        assertTrue(recorded.contains("first took snapshot " + manual.get(0).snapshotIdentifier() + " (schedule rpo: its recovery "
                + "point would lapse at"), recorded);
    }

    @Test
    void anOpenEndedPauseShowsInThePlanAndEndsAtItsMaximum() {
        idle("stopped", true);
        manager.plan("stopped");
        JsonPath plan = given().get("/clusters/stopped/plan").then().statusCode(200).extract().jsonPath();
        assertEquals(true, plan.getBoolean("windows[0].openEnded"), plan.prettify());
        assertNull(plan.get("windows[0].resumeAt"), "no planned resume");
        Instant max = Instant.parse(plan.getString("windows[0].maxResumeAt"));
        assertEquals(Duration.ofHours(6), Duration.between(Instant.parse(plan.getString("windows[0].pauseAt")), max));
        assertEquals(List.of("at the maximum, " + max, "POST /clusters/stopped/resume", "a pipeline step aimed at stopped"),
                plan.getList("windows[0].wake"));
        assertEquals("Europe/Berlin", plan.getString("zone"));

        manager.tick("stopped", clock.instant(), null);
        awaitStatus("stopped", "paused");
        assertTrue(first("stopped").note().startsWith("open-ended"), first("stopped").note());
        clock.advance(Duration.ofHours(2));
        manager.plan("stopped"); // a re-plan while paused keeps the maximum counted from the pause
        assertEquals(max, first("stopped").resumeAt());
        assertTrue(first("stopped").openEnded());
        clock.advance(Duration.between(clock.instant(), max).minusMinutes(1));
        manager.tick("stopped", clock.instant(), null);
        assertEquals("paused", status("stopped"));
        clock.advance(Duration.ofMinutes(1));
        manager.tick("stopped", clock.instant(), null);
        awaitStatus("stopped", "available");
        assertEquals("RESUMED", first("stopped").state());
        assertTrue(actions("cluster-resume", "stopped").stream().anyMatch(a -> a.contains("open-ended pause reached its maximum of 6 h")),
                actions("cluster-resume", "stopped").toString());

        idle("steady", true); // the same stopped workload on a cluster that did not opt in
        manager.plan("steady");
        JsonPath steady = given().get("/clusters/steady/plan").then().statusCode(200).extract().jsonPath();
        assertFalse(steady.getList("windows").isEmpty(), steady.prettify());
        assertEquals(List.of(), steady.getList("windows.findAll { it.openEnded == true }"), "open-ended only where opted in");
        assertFalse(steady.getList("windows.resumeAt").contains(null), "every window has a planned resume: " + steady.prettify());
    }

    @Test
    void aResumeAskedForWhileTheClusterIsStillPausingWaitsForThePauseAndResumesIt() {
        idle("drowsy", true);
        manager.plan("drowsy");
        manager.tick("drowsy", clock.instant(), null);
        assertEquals("pausing", status("drowsy"), "moto, like AWS, passes through pausing");
        given().post("/clusters/drowsy/resume").then().statusCode(200).body("resumed", org.hamcrest.Matchers.equalTo(true));
        awaitStatus("drowsy", "available");
        assertEquals("RESUMED", first("drowsy").state());
        assertEquals(1.0, resumeCalls("drowsy"));
    }

    @Test
    void aResumeAskedForWhileThePauseOutlastsTheWaitAnswers409WithTheState() throws Exception {
        idle("sleepy", true);
        manager.plan("sleepy");
        given().get("/clusters/sleepy/plan").then().statusCode(200); // the first HTTP call of a JVM can take seconds
        transitionSeconds(8); // longer than resume-request-wait (3 s here), with room for a slow machine
        try {
            manager.tick("sleepy", clock.instant(), null);
            assertEquals("pausing", status("sleepy"));
            given().post("/clusters/sleepy/resume").then().statusCode(409)
                    .body("error", org.hamcrest.Matchers.equalTo("cluster_in_transition"))
                    .body("state", org.hamcrest.Matchers.equalTo("pausing"))
                    .body("message", org.hamcrest.Matchers.containsString("still pausing after 3 s"));
        } finally {
            transitionSeconds(1);
        }
        await("sleepy paused").atMost(Duration.ofSeconds(40)).until(() -> "paused".equals(status("sleepy")));
        given().post("/clusters/sleepy/resume").then().statusCode(200).body("resumed", org.hamcrest.Matchers.equalTo(true));
        awaitStatus("sleepy", "available");
        assertEquals(1.0, resumeCalls("sleepy"));
    }
}
