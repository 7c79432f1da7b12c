package io.shiftwork.pipelines;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.shiftwork.LocalAwsTestResource;
import io.shiftwork.TestClock;

/**
 * A replica killed between the 202 and its run's first recorded statement, or mid-flow, leaves a RUNNING run: the
 * sweep ends it FAILED and releases its pipeline's lock; a run another flow still executes (heartbeat) and a
 * WAITING run are left alone. Against the emulated DynamoDB.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalAwsTestResource.class, restrictToAnnotatedClass = true)
class RunSweepTest {

    private static final String ETL = "etl-unload-notify";

    @Inject
    RunStore store;
    @Inject
    Leases leases;
    @Inject
    AbandonedRuns abandoned;
    @Inject
    TestClock clock;
    @Inject
    org.apache.camel.CamelContext camel;
    @Inject
    io.shiftwork.statements.StepSequence sequence;
    @Inject
    io.shiftwork.snapshots.RestoreDrill drill;
    @Inject
    software.amazon.awssdk.services.redshift.RedshiftClient redshift;

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    /** A run as a replica leaves it when killed right after the 202: RUNNING, no step, holding the ETL lock. */
    private String orphanedEtlRun() {
        String id = UUID.randomUUID().toString();
        store.create(Run.started(id, ETL, StartedBy.service(Trigger.HTTP), Map.of(), Instant.now()));
        assertTrue(leases.acquire(PipelineRunner.lockKey(ETL), id, Duration.ofHours(6)));
        return id;
    }

    @Test
    void aRunWhoseInstanceDiedIsEndedAndItsLockReleased() {
        String id = orphanedEtlRun();
        assertTrue(abandoned.sweep().isEmpty(), "silent for less than abandoned-after: alive");

        clock.advance(Duration.ofMinutes(16));
        assertEquals(List.of(id), abandoned.sweep());

        Run ended = store.find(id).orElseThrow();
        assertEquals(RunStatus.FAILED, ended.status());
        assertTrue(ended.error().startsWith("abandoned: "), ended.error());
        assertTrue(leases.holder(PipelineRunner.lockKey(ETL)).isEmpty(), "the one-at-a-time lock is released");
        assertTrue(abandoned.sweep().isEmpty(), "a second sweep (or a second replica) changes nothing");
    }

    /** A drill killed mid-restore: its run is ended by the run sweep, then its temporary cluster by the drill sweep. */
    @Test
    void theTemporaryClusterOfAnInterruptedDrillIsDeletedAndNothingElse() {
        String orphan = "drill-sales-1201030000";
        String alive = "drill-sales-1201030500";
        String foreign = "drill-sales-1201031000";
        for (String id : List.of(orphan, alive, foreign)) {
            redshift.createCluster(b -> b.clusterIdentifier(id).nodeType("ra3.xlplus").numberOfNodes(2)
                    .masterUsername("awsuser").masterUserPassword("Local-only-0"));
        }
        Instant now = Instant.now();
        store.create(Run.started(UUID.randomUUID().toString(), "snapshot-drill", StartedBy.service(Trigger.SCHEDULE), Map.of(), now)
                .withStep(Step.started("restore", now).withAwsId("temporary", orphan))
                .finished(RunStatus.FAILED, now, "abandoned: test"));
        store.create(Run.started(UUID.randomUUID().toString(), "snapshot-drill", StartedBy.service(Trigger.SCHEDULE), Map.of(), now)
                .withStep(Step.started("restore", now).withAwsId("temporary", alive)));

        // a cluster still creating is not deletable: the sweep tries again until it is
        await().atMost(Duration.ofSeconds(30)).until(() -> drill.sweep().contains(orphan));
        await().atMost(Duration.ofSeconds(30)).until(() -> redshift.describeClusters().clusters().stream()
                .noneMatch(c -> c.clusterIdentifier().equals(orphan)));
        List<String> left = redshift.describeClusters().clusters().stream()
                .map(software.amazon.awssdk.services.redshift.model.Cluster::clusterIdentifier).toList();
        assertTrue(left.containsAll(List.of(alive, foreign)), "a running drill's copy and a drill-* nobody named stay: " + left);
        assertTrue(drill.sweep().isEmpty(), "nothing more to delete");
    }

    /**
     * Steps a completion resumes run outside the run's first flow (on whichever replica took the event): they
     * beat too, so a live run in a long later step is never swept (found by a breaker: it was, and its lock freed).
     */
    @Test
    void aLaterStepResumedByACompletionKeepsBeating() throws Exception {
        camel.addRoutes(new org.apache.camel.builder.RouteBuilder() {
            @Override
            public void configure() {
                from("direct:sweep-test-slow-step").routeId("sweep-test-slow-step").delay(4000);
            }
        });
        String id = UUID.randomUUID().toString();
        store.create(Run.started(id, "stored-procedures", StartedBy.service(Trigger.HTTP), Map.of(), Instant.now())
                .withContext("steps", List.of("direct:sweep-test-slow-step")));
        Thread resumed = new Thread(() -> sequence.advance(id, 0), "completion-resumes-the-run");
        resumed.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> store.find(id).orElseThrow().step("sweep-test-slow-step") != null);
        clock.advance(Duration.ofMinutes(30));
        abandoned.heartbeat();
        assertFalse(abandoned.sweep().contains(id), "working here");
        assertFalse(AbandonedRuns.abandoned(store.find(id).orElseThrow(), clock.instant(), Duration.ofMinutes(15)),
                "another replica's sweep sees the heartbeat");
        resumed.join(20_000);
        assertEquals(RunStatus.SUCCEEDED, store.find(id).orElseThrow().status());
    }

    @Test
    void aWaitingRunIsLeftToTheStatementEngine() {
        String id = UUID.randomUUID().toString();
        store.create(Run.started(id, "stored-procedure", StartedBy.service(Trigger.HTTP), Map.of(), Instant.now())
                .withStatus(RunStatus.WAITING));
        clock.advance(Duration.ofHours(3));
        assertFalse(abandoned.sweep().contains(id));
        assertEquals(RunStatus.WAITING, store.find(id).orElseThrow().status());
    }

    @Test
    void aRunStillExecutingHereKeepsBeatingAndIsNotEnded() {
        String id = given().contentType(ContentType.JSON).body("{\"name\":\"slow\",\"delayMs\":15000}")
                .post("/pipelines/smoke/runs").then().statusCode(202).extract().path("runId");
        clock.advance(Duration.ofMinutes(30));
        abandoned.heartbeat();
        assertFalse(abandoned.sweep().contains(id), "in flight here, with a fresh heartbeat");
        Run beating = store.find(id).orElseThrow();
        assertTrue(beating.context().containsKey(AbandonedRuns.HEARTBEAT), beating.toString());
        // what another replica's sweep decides on: the heartbeat keeps the run alive there too
        assertFalse(AbandonedRuns.abandoned(beating, clock.instant(), Duration.ofMinutes(15)));
        await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> given().get("/runs/" + id).then()
                .body("status", equalTo("SUCCEEDED")));
    }
}
