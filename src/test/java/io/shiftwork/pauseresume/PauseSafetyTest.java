package io.shiftwork.pauseresume;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.shiftwork.LocalAwsTestResource;
import io.shiftwork.TestClock;
import io.shiftwork.pipelines.Alerts;
import io.shiftwork.pipelines.PipelineRunner;
import io.shiftwork.pipelines.RunSteps;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.forecast.ForecastClient;
import software.amazon.awssdk.services.forecastquery.ForecastqueryClient;
import software.amazon.awssdk.services.redshift.RedshiftClient;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Issue 14: a pause never strands a cluster. Against moto, with the application's clock moved forward: re-plans,
 * restarts and new instances mid-window still resume on time; a pause by someone else is left alone; guards fail
 * closed; a failed resume alerts; a hold racing the executor wins.
 */
@QuarkusTest
@TestProfile(PauseSafetyTest.Clusters.class)
@QuarkusTestResource(value = LocalAwsTestResource.class, restrictToAnnotatedClass = true)
class PauseSafetyTest {

    public static class Clusters implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> m = new java.util.HashMap<>();
            for (String c : List.of("replanned", "restarted", "lost", "foreign", "blind", "ghost", "doomed", "raced", "held", "snoozed", "stalled")) {
                m.put("shiftwork.pause-resume.clusters." + c + ".enabled", "true");
            }
            m.put("shiftwork.pause-resume.backfill-days", "3");
            m.put("shiftwork.pause-resume.clusters.drill-snoozed-1.enabled", "true");
            m.put("shiftwork.snapshots.schedules.snoozed.target", "snoozed");
            m.put("shiftwork.snapshots.schedules.snoozed.interval", "1 hours");
            m.put("shiftwork.pause-resume.transition-budget", "PT20M");
            return m;
        }
    }

    @Inject
    CloudWatchClient cloudWatch;
    @Inject
    RedshiftClient redshift;
    @Inject
    PauseResumeManager manager;
    @Inject
    PauseFixture pause;
    @Inject
    PlanStore plans;
    @Inject
    TestClock clock;
    @Inject
    SnsClient sns;
    @Inject
    SqsClient sqs;

    // a second instance is built from the same parts (the same AWS), as a replica started mid-window would be
    @Inject
    PauseResumeConfig config;
    @Inject
    CpuHistory history;
    @Inject
    RedshiftDataClient data;
    @Inject
    PipelineRunner runner;
    @Inject
    RunSteps steps;
    @Inject
    ForecastClient forecast;
    @Inject
    ForecastqueryClient forecastQuery;
    @Inject
    S3Client s3;
    @Inject
    MeterRegistry metrics;
    @Inject
    Alerts alerts;

    @AfterEach
    void realTime() {
        clock.reset();
    }

    private void idleCluster(String id, boolean create) {
        pause.idleCluster(id, create);
    }

    /**
     * Waits for a cluster's status: moto, like AWS, passes through 'creating', 'pausing' and 'resuming' in real
     * time (a second here), whatever the test's clock says.
     */
    private void awaitStatus(String id, String status, String... why) {
        pause.awaitStatus(id, status, why.length == 0 ? id + " " + status : why[0]);
    }

    private String status(String id) {
        return pause.status(id);
    }

    private void tick(PauseResumeManager m, String cluster) {
        m.tick(cluster, clock.instant(), null);
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

    @Test
    void aRePlanWhilePausedKeepsThePauseAndTheClusterIsResumedAtResumeAt() {
        idleCluster("replanned", true);
        manager.plan("replanned");
        manager.execute();
        awaitStatus("replanned", "paused");
        assertTrue(plans.pauseOf("replanned").orElseThrow().byShiftwork(), "the pause is recorded as Shiftwork's");

        clock.advance(Duration.ofMinutes(30));
        manager.plan("replanned"); // the daily plan, or the first plan 30 s after a start or deploy
        ClusterPlan.PlannedWindow w = first("replanned");
        assertEquals("PAUSED", w.state(), "a re-plan never forgets the pause in progress: " + w);
        tick(manager, "replanned");
        assertEquals("PAUSED", first("replanned").state(), "not DEFERRED: the paused cluster is the plan, not a guard failure");
        awaitStatus("replanned", "paused");

        clock.advance(Duration.between(clock.instant(), w.resumeAt()).minusMinutes(1));
        tick(manager, "replanned");
        awaitStatus("replanned", "paused", "not before resumeAt");
        clock.advance(Duration.ofMinutes(1));
        manager.execute();
        awaitStatus("replanned", "available", "resumed at resumeAt");
        assertEquals("RESUMED", first("replanned").state());
        assertTrue(plans.pauseOf("replanned").isEmpty(), "the record of the pause is gone with it");
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofMinutes(1));
            tick(manager, "replanned");
        }
        assertEquals(1.0, resumeCalls("replanned"), "exactly one ResumeCluster for the window");
        assertTrue(actions("cluster-resume", "replanned").stream().anyMatch(a -> a.contains("ResumeCluster accepted 0 s after the planned time")),
                () -> actions("cluster-resume", "replanned").toString());
    }

    @Test
    void aRestartedOrNewInstanceMidWindowStillResumesOnTime() {
        idleCluster("restarted", true);
        manager.plan("restarted");
        tick(manager, "restarted");
        awaitStatus("restarted", "paused");

        // a replica started mid-window: nothing in memory, its first plan 30 s after start, then its ticks
        PauseResumeManager fresh = new PauseResumeManager(config, history, plans, redshift, data, runner, steps, clock,
                forecast, forecastQuery, s3, metrics, alerts);
        clock.advance(Duration.ofHours(2));
        fresh.plan("restarted");
        tick(fresh, "restarted");
        awaitStatus("restarted", "paused");
        Instant resumeAt = first("restarted").resumeAt();
        clock.advance(Duration.between(clock.instant(), resumeAt));
        tick(fresh, "restarted");
        awaitStatus("restarted", "available");
        tick(manager, "restarted");
        assertEquals(1.0, resumeCalls("restarted"), "the old replica's tick does not resume it again");
    }

    @Test
    void aClusterShiftworkPausedIsResumedWhenNoWindowInProgressCoversItWhateverThePlanSays() {
        idleCluster("lost", true);
        manager.plan("lost");
        tick(manager, "lost");
        awaitStatus("lost", "paused");
        // a plan that lost the window: every window PLANNED again, as the daily plan wrote it before this fix
        plans.update("lost", p -> new ClusterPlan(p.clusterId(), p.computedAt(), p.threshold(),
                p.windows().stream().map(w -> w.with("PLANNED", null, clock.instant())).toList(), p.forecast(), p.holdUntil(), p.version()));
        tick(manager, "lost");
        awaitStatus("lost", "available", "resumed now: paused by Shiftwork, no pause window in progress");
        assertTrue(actions("cluster-resume", "lost").stream().anyMatch(a -> a.contains("no pause window of its plan is in progress")));
    }

    @Test
    void aClusterPausedBySomeoneElseIsLeftAloneAndReported() {
        idleCluster("foreign", true);
        manager.plan("foreign");
        redshift.pauseCluster(b -> b.clusterIdentifier("foreign"));
        tick(manager, "foreign");
        awaitStatus("foreign", "paused");
        assertEquals(false, plans.pauseOf("foreign").orElseThrow().byShiftwork());
        clock.advance(Duration.ofDays(2));
        tick(manager, "foreign");
        tick(manager, "foreign");
        awaitStatus("foreign", "paused", "never resumed by Shiftwork");
        assertEquals(1, actions("cluster-pause", "foreign").stream().filter(a -> a.contains("by someone else")).count(),
                "reported once, not every tick");
        assertEquals(0.0, resumeCalls("foreign"));
    }

    @Test
    void missingMetricsOrAFailedDescribeClustersMeanNoPauseWithTheReasonRecorded() {
        redshift.createCluster(b -> b.clusterIdentifier("blind").nodeType("ra3.xlplus").masterUsername("admin")
                .masterUserPassword("Passw0rd-not-secret").numberOfNodes(2));
        awaitStatus("blind", "available");
        CpuSeed.twoDays(cloudWatch, "blind", "CPUUtilization", at -> 1.5); // no DatabaseConnections datapoints
        manager.plan("blind");
        tick(manager, "blind");
        awaitStatus("blind", "available");
        assertEquals("DEFERRED", first("blind").state());
        assertTrue(first("blind").note().contains("no DatabaseConnections datapoint"), first("blind").note());

        idleCluster("ghost", false); // metrics, but DescribeClusters answers ClusterNotFound
        manager.plan("ghost");
        tick(manager, "ghost");
        assertEquals("DEFERRED", first("ghost").state());
        assertTrue(first("ghost").note().startsWith("DescribeClusters failed"), first("ghost").note());
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("shiftwork_pause_resume_failures_total{action=\"describe\",cluster=\"ghost\"}"));
    }

    @Test
    void aResumeFailingPastTheBudgetAlertsTheSupportTopicAndCounts() {
        String topic = sns.listTopics().topics().stream().map(t -> t.topicArn()).filter(a -> a.endsWith(":shiftwork-support"))
                .findFirst().orElseThrow();
        String url = sqs.createQueue(b -> b.queueName("pause-alerts")).queueUrl();
        String arn = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN)).attributes()
                .get(QueueAttributeName.QUEUE_ARN);
        sns.subscribe(b -> b.topicArn(topic).protocol("sqs").endpoint(arn).attributes(Map.of("RawMessageDelivery", "true")));

        idleCluster("doomed", true);
        manager.plan("doomed");
        tick(manager, "doomed");
        awaitStatus("doomed", "paused");
        // ResumeCluster now fails (ClusterNotFound), as access denied or a deleted cluster would make it fail
        redshift.deleteCluster(b -> b.clusterIdentifier("doomed").skipFinalClusterSnapshot(true));
        clock.advance(Duration.between(clock.instant(), first("doomed").resumeAt()));
        tick(manager, "doomed");
        assertEquals("RESUMING", first("doomed").state(), "retried within the budget");
        clock.advance(Duration.ofMinutes(10));
        tick(manager, "doomed");
        assertEquals("RESUMING", first("doomed").state());
        clock.advance(Duration.ofMinutes(11));
        tick(manager, "doomed");
        assertEquals("FAILED", first("doomed").state());
        assertTrue(plans.pauseOf("doomed").isPresent(), "still Shiftwork's pause: the reconcile rule keeps resuming it");

        List<Message> got = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            got.addAll(sqs.receiveMessage(b -> b.queueUrl(url).waitTimeSeconds(1)).messages());
            return got.stream().anyMatch(m -> m.body().contains("\"ResumeFailed\"") && m.body().contains("doomed"));
        });
        String text = given().get("/q/metrics").asString();
        Matcher m = Pattern.compile("shiftwork_pause_resume_failures_total\\{action=\"resume\",cluster=\"doomed\"\\} ([0-9.]+)").matcher(text);
        assertTrue(m.find(), "failure metric exported");
        assertTrue(Double.parseDouble(m.group(1)) >= 3, "every failed attempt counted: " + m.group(1));
    }

    @Test
    void aPausedClustersSnapshotTickIsSkippedWithItsReasonAndDrillClustersAreNeverManaged() {
        idleCluster("snoozed", true);
        redshift.createClusterSnapshot(b -> b.clusterIdentifier("snoozed").snapshotIdentifier("snoozed-before"));
        manager.plan("snoozed");
        tick(manager, "snoozed");
        awaitStatus("snoozed", "paused");
        // the window outlasts the schedule's 1 h RPO: the executor took the schedule's snapshot before pausing
        List<String> beforeThePause = redshift.describeClusterSnapshots(b -> b.clusterIdentifier("snoozed")).snapshots()
                .stream().filter(sn -> "manual".equals(sn.snapshotType())).map(sn -> sn.snapshotIdentifier()).sorted().toList();
        assertEquals(2, beforeThePause.size(), beforeThePause.toString());
        assertTrue(beforeThePause.get(1).startsWith("snoozed-snoozed-"), beforeThePause.toString());
        clock.advance(Duration.ofHours(2)); // the snapshot is now older than the schedule's interval: one is due
        String runId = given().contentType("application/json").body("{}").post("/pipelines/snapshots/runs").then()
                .statusCode(202).extract().path("runId");
        await().atMost(Duration.ofSeconds(30)).until(() -> List.of("SUCCEEDED", "FAILED").contains(given().get("/runs/" + runId).path("status")));
        var run = given().get("/runs/" + runId).jsonPath();
        assertEquals("SUCCEEDED", run.getString("status"), run.prettify());
        String reason = run.getString("steps.find { it.name == 'unchanged' }.output.schedules.snoozed");
        assertTrue(reason.startsWith("skipped: paused since ") && reason.contains("(by Shiftwork)")
                && reason.matches(".*newest snapshot \\S+ \\(.*\\) covers it"), reason); // AWS takes an automated one at the pause
        assertEquals(beforeThePause, redshift.describeClusterSnapshots(b -> b.clusterIdentifier("snoozed")).snapshots()
                .stream().filter(sn -> "manual".equals(sn.snapshotType())).map(sn -> sn.snapshotIdentifier()).sorted().toList(),
                "while paused: no snapshot attempted, none deleted");

        given().post("/clusters/drill-snoozed-1/hold?until=2030-01-01T00:00:00Z").then().statusCode(404);
        assertTrue(!manager.clusters().contains("drill-snoozed-1"), "a restore drill's cluster is never managed");
    }

    @Test
    void aReplicaThatStalledMidCallCannotUndoThePauseAnotherReplicaMade() {
        idleCluster("stalled", true);
        manager.plan("stalled");
        ClusterPlan.PlannedWindow planned = first("stalled");
        // replica A wrote its intent (PAUSING) a tick ago and stalled before its call ...
        ClusterPlan.PlannedWindow intentOfA = planned.with("PAUSING", "until " + planned.resumeAt(), clock.instant().minusSeconds(60));
        // ... replica B paused the cluster meanwhile; A wakes up, calls PauseCluster, which AWS refuses (already paused)
        tick(manager, "stalled");
        awaitStatus("stalled", "paused");
        manager.outcome("stalled", planned.pauseAt(), PauseLifecycle.Event.PAUSE_REFUSED, "PauseCluster refused: paused", intentOfA);
        assertEquals("PAUSED", first("stalled").state(), "the late outcome is dropped: the window moved on");
        assertTrue(plans.pauseOf("stalled").orElseThrow().byShiftwork(), "the pause is still Shiftwork's");
        clock.advance(Duration.between(clock.instant(), first("stalled").resumeAt()));
        tick(manager, "stalled");
        awaitStatus("stalled", "available", "and it is resumed on time");
    }

    @Test
    void anOperatorsHoldRacingTheExecutorWins() {
        idleCluster("raced", true);
        manager.plan("raced");
        ClusterPlan readByTheTick = plans.get("raced").orElseThrow();
        // the hold lands between the executor's read and its write
        given().post("/clusters/raced/hold?until=" + clock.instant().plus(Duration.ofHours(3))).then().statusCode(200);
        assertThrows(PlanStore.Conflict.class, () -> manager.tick("raced", clock.instant(), readByTheTick));
        awaitStatus("raced", "available", "the stale tick did not pause");
        assertTrue(plans.pauseOf("raced").isEmpty());
        assertNotNull(plans.get("raced").orElseThrow().holdUntil(), "the hold is kept");
        tick(manager, "raced");
        awaitStatus("raced", "available");
        assertEquals("SKIPPED", first("raced").state());
        assertTrue(first("raced").note().startsWith("held until"));
    }

    @Test
    void anOperatorsResumeRacingTheExecutorWins() {
        idleCluster("held", true);
        manager.plan("held");
        tick(manager, "held");
        awaitStatus("held", "paused");
        ClusterPlan readByTheTick = plans.get("held").orElseThrow();
        given().post("/clusters/held/resume").then().statusCode(200).body("resumed", equalTo(true));
        assertThrows(PlanStore.Conflict.class, () -> manager.tick("held", clock.instant(), readByTheTick));
        tick(manager, "held");
        tick(manager, "held");
        awaitStatus("held", "available", "not paused again: the resume holds automatic pauses");
        assertEquals("RESUMED", first("held").state());
        assertEquals(1.0, resumeCalls("held"));
        given().get("/pipelines/cluster-resume/runs").then().body("parameters.action", hasItem(containsString("resumed on request")));
    }
}
