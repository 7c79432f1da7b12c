package io.shiftwork.snapshots;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.shiftwork.LocalAwsTestResource;
import io.shiftwork.TestClock;
import io.shiftwork.pipelines.PipelineRunner;
import software.amazon.awssdk.services.redshift.RedshiftClient;
import software.amazon.awssdk.services.redshift.model.ClusterNotFoundException;
import software.amazon.awssdk.services.redshift.model.Snapshot;
import software.amazon.awssdk.services.redshift.model.Tag;
import software.amazon.awssdk.services.redshiftserverless.RedshiftServerlessClient;

/** The snapshot manager against moto (provisioned clusters) and the local Redshift (serverless namespaces). */
@QuarkusTest
@TestProfile(SnapshotsTest.Schedules.class)
@QuarkusTestResource(value = LocalAwsTestResource.class, restrictToAnnotatedClass = true)
class SnapshotsTest {

    public static class Schedules implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> c = new HashMap<>();
            c.put("shiftwork.snapshots.schedules.hourly.target", "sales");
            c.put("shiftwork.snapshots.schedules.hourly.interval", "1 hours");
            c.put("shiftwork.snapshots.schedules.hourly.retention", "3 hours");
            c.put("shiftwork.snapshots.schedules.fin.kind", "serverless");
            c.put("shiftwork.snapshots.schedules.fin.target", "fin-ns");
            c.put("shiftwork.snapshots.schedules.fin.interval", "1 days");
            c.put("shiftwork.snapshots.schedules.fin.retention", "2 days");
            c.put("shiftwork.snapshots.manual-snapshot-quota", "2");
            c.put("shiftwork.snapshots.page-size", "2");
            c.put("shiftwork.snapshots.drill.queries.select-one", "select 1");
            c.put("shiftwork.snapshots.drill.queries.missing-table", "select * from no_such_table");
            return c;
        }
    }

    @Inject
    RedshiftClient redshift;
    @Inject
    RedshiftServerlessClient serverless;
    @Inject
    TestClock clock;
    @Inject
    PipelineRunner runner;

    @BeforeEach
    void clusters() {
        for (String id : List.of("sales", "analytics")) {
            try {
                redshift.describeClusters(b -> b.clusterIdentifier(id));
            } catch (ClusterNotFoundException e) {
                redshift.createCluster(b -> b.clusterIdentifier(id).nodeType("ra3.xlplus").masterUsername("admin")
                        .masterUserPassword("Passw0rd-not-secret").numberOfNodes(2));
            }
        }
        // like AWS, the emulator creates a cluster (and its first automated snapshot) over a while
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> List.of("sales", "analytics")
                .stream().allMatch(id -> "available".equals(redshift.describeClusters(b -> b.clusterIdentifier(id))
                        .clusters().get(0).clusterStatus())));
        awaitSnapshotsAvailable();
        if (serverless.listNamespaces(b -> b.maxResults(100)).namespaces().stream().noneMatch(n -> n.namespaceName().equals("fin-ns"))) {
            serverless.createNamespace(b -> b.namespaceName("fin-ns"));
        }
        // moto ignores the snapshotType filter: never trust a filter with a delete
        for (Snapshot s : redshift.describeClusterSnapshots(b -> b.snapshotType("manual")).snapshots().stream()
                .filter(x -> "manual".equals(x.snapshotType())).toList()) {
            redshift.deleteClusterSnapshot(b -> b.snapshotIdentifier(s.snapshotIdentifier()).snapshotClusterIdentifier(s.clusterIdentifier()));
        }
        serverless.listSnapshots(b -> b.namespaceName("fin-ns")).snapshots()
                .forEach(s -> serverless.deleteSnapshot(b -> b.snapshotName(s.snapshotName())));
        clock.reset();
    }

    /** A snapshot is "creating" for a while, and only an available one may be deleted, restored or copied. */
    private void awaitSnapshotsAvailable() {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> redshift
                .describeClusterSnapshots(b -> b.maxRecords(100)).snapshots().stream()
                .allMatch(s -> "available".equals(s.status())));
    }

    @AfterEach
    void time() {
        clock.reset();
    }

    private static JsonPath run() {
        String runId = given().contentType(ContentType.JSON).body("{}").post("/pipelines/snapshots/runs")
                .then().statusCode(202).extract().path("runId");
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> !"RUNNING".equals(given().get("/runs/" + runId).path("status")));
        return given().get("/runs/" + runId).jsonPath();
    }

    private List<Snapshot> manualOf(String cluster) {
        return redshift.describeClusterSnapshots(b -> b.clusterIdentifier(cluster)).snapshots()
                .stream().filter(s -> s.clusterIdentifier().equals(cluster) && "manual".equals(s.snapshotType())).toList();
    }

    private Map<String, String> tags(Snapshot s) {
        return s.tags().stream().collect(Collectors.toMap(Tag::key, Tag::value));
    }

    @Test
    void takesTaggedSnapshotsOfBothKindsThenSkipsWhileTheyAreFresh() {
        JsonPath first = run();
        assertEquals("SUCCEEDED", first.getString("status"), first.prettify());
        List<Snapshot> sales = manualOf("sales");
        assertEquals(1, sales.size());
        Snapshot s = sales.get(0);
        assertTrue(s.snapshotIdentifier().matches("hourly-sales-\\d{4}-\\d{2}-\\d{2}t\\d{6}"), s.snapshotIdentifier());
        assertEquals("Shiftwork Snapshot Manager", tags(s).get("createdBy"));
        assertEquals("hourly", tags(s).get("scheduleNamespace"));
        assertTrue(tags(s).containsKey("creationTimestamp"));
        assertEquals(s.snapshotIdentifier(), first.getString("steps.find { it.name == 'schedule-hourly' }.awsIds.snapshotIdentifier"));
        assertTrue(first.getString("steps.find { it.name == 'schedule-hourly' }.output.copiedFrom").startsWith("rs:sales-"),
                "production default: the snapshot is a copy of the automated one: " + first.prettify());

        var fin = serverless.listSnapshots(b -> b.namespaceName("fin-ns")).snapshots();
        assertEquals(1, fin.size());
        assertTrue(fin.get(0).snapshotName().startsWith("fin-fin-ns-"));

        JsonPath second = run();
        assertEquals("SUCCEEDED", second.getString("status"));
        assertEquals(1, manualOf("sales").size(), "no new snapshot while the last is fresh");
        assertTrue(second.getString("steps.find { it.name == 'unchanged' }.output.schedules.hourly").startsWith("fresh"),
                second.prettify());
        assertEquals(1, second.getList("steps").size(), "idle schedules cost no step of their own");
    }

    private void awaitStatus(String cluster, String status) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> status.equals(
                redshift.describeClusters(b -> b.clusterIdentifier(cluster)).clusters().get(0).clusterStatus()));
    }

    @Test
    void aDueSnapshotOfAPausedClusterWaitsInsteadOfFailingEveryTick() {
        redshift.pauseCluster(b -> b.clusterIdentifier("sales"));
        try {
            awaitStatus("sales", "paused");
            clock.advance(Duration.ofHours(2)); // even the snapshot taken at the pause is no longer fresh
            JsonPath r = run();
            assertEquals("SUCCEEDED", r.getString("status"), r.prettify());
            assertTrue(r.getString("steps.find { it.name == 'unchanged' }.output.schedules.hourly")
                    .startsWith("skipped: paused since "), r.prettify());
            assertEquals(0, manualOf("sales").size());
        } finally {
            awaitStatus("sales", "paused");
            redshift.resumeCluster(b -> b.clusterIdentifier("sales"));
            awaitStatus("sales", "available");
        }
    }

    @Test
    void retentionDeletesOnlyItsOwnExpiredSnapshotsAndLeavesForeignOnesAlone() {
        redshift.createClusterSnapshot(b -> b.clusterIdentifier("sales").snapshotIdentifier("operator-kept"));
        redshift.createClusterSnapshot(b -> b.clusterIdentifier("sales").snapshotIdentifier("other-schedule")
                .tags(Tag.builder().key("createdBy").value("Shiftwork Snapshot Manager").build(),
                        Tag.builder().key("scheduleNamespace").value("daily").build()));
        redshift.createClusterSnapshot(b -> b.clusterIdentifier("analytics").snapshotIdentifier("other-cluster")
                .tags(Tag.builder().key("createdBy").value("Shiftwork Snapshot Manager").build(),
                        Tag.builder().key("scheduleNamespace").value("hourly").build()));
        run();
        clock.advance(Duration.ofHours(2));
        run();
        List<String> own = manualOf("sales").stream().map(Snapshot::snapshotIdentifier).filter(id -> id.startsWith("hourly-"))
                .sorted().toList();
        assertEquals(2, own.size(), "a new snapshot once the interval passed: " + own);
        awaitSnapshotsAvailable();

        // by the application's clock both are now 4 h old, past the 3 h retention
        clock.advance(Duration.ofHours(2));
        JsonPath third = run();
        Set<String> left = manualOf("sales").stream().map(Snapshot::snapshotIdentifier).collect(Collectors.toSet());
        assertEquals(own, third.getList("steps.find { it.name == 'schedule-hourly' }.output.deleted"));
        assertTrue(left.containsAll(Set.of("operator-kept", "other-schedule")), "foreign snapshots stay: " + left);
        assertEquals(1, manualOf("analytics").size(), "another cluster's snapshot stays");
        assertEquals(1, left.stream().filter(id -> id.startsWith("hourly-")).count(), "only the new one: " + left);
    }

    @Test
    void serverlessListingsArePagedAndAFreshSnapshotOnALaterPageIsSeen() {
        for (String name : List.of("a-1", "a-2", "a-3")) {
            serverless.createSnapshot(b -> b.namespaceName("fin-ns").snapshotName(name));
        }
        serverless.createSnapshot(b -> b.namespaceName("fin-ns").snapshotName("zz-made-by-shiftwork").tags(
                software.amazon.awssdk.services.redshiftserverless.model.Tag.builder().key("createdBy").value("Shiftwork Snapshot Manager").build(),
                software.amazon.awssdk.services.redshiftserverless.model.Tag.builder().key("scheduleNamespace").value("fin").build()));
        JsonPath run = run();
        assertTrue(run.getString("steps.find { it.name == 'unchanged' }.output.schedules.fin").contains("zz-made-by-shiftwork"),
                run.prettify());
        assertEquals(4, serverless.listSnapshots(b -> b.namespaceName("fin-ns")).snapshots().size(), "nothing created");
    }

    @Test
    void twoReplicasTickingTogetherMakeOneSnapshot() {
        String a = runner.start("snapshots", Map.of(), "schedule").runId();
        String b = runner.start("snapshots", Map.of(), "schedule").runId();
        for (String id : List.of(a, b)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> "SUCCEEDED".equals(given().get("/runs/" + id).path("status")));
        }
        assertEquals(1, manualOf("sales").size(), "one snapshot for one schedule and tick");
        List<Object> elsewhere = new java.util.ArrayList<>();
        for (String id : List.of(a, b)) {
            List<Object> l = given().get("/runs/" + id).jsonPath().getList("steps.find { it.name == 'unchanged' }.output.takenByAnotherReplica");
            if (l != null) {
                elsewhere.addAll(l);
            }
        }
        assertTrue(elsewhere.contains("hourly"), "one run found the tick taken: " + elsewhere);
    }

    private static JsonPath drill(String body) {
        String runId = given().contentType(ContentType.JSON).body(body).post("/pipelines/snapshot-drill/runs")
                .then().statusCode(202).extract().path("runId");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> !"RUNNING".equals(given().get("/runs/" + runId).path("status")));
        return given().get("/runs/" + runId).jsonPath();
    }

    @Test
    void aRestoreDrillMeasuresTheRtoVerifiesAndDeletesTheTemporaryCluster() {
        run();
        awaitSnapshotsAvailable();
        JsonPath d = drill("{\"schedule\": \"hourly\", \"verify\": \"select-one\"}");
        assertEquals("SUCCEEDED", d.getString("status"), d.prettify());
        String temp = d.getString("steps.find { it.name == 'restore' }.output.temporary");
        assertTrue(temp.startsWith("drill-hourly-"), temp);
        assertTrue(d.getInt("steps.find { it.name == 'restore' }.output.rtoSeconds") >= 0);
        assertEquals("SUCCEEDED", d.getString("steps.find { it.name == 'verify' }.status"));
        assertEquals("SUCCEEDED", d.getString("steps.find { it.name == 'cleanup' }.status"));
        assertTrue(redshift.describeClusters().clusters().stream().noneMatch(c -> c.clusterIdentifier().equals(temp)
                && !"deleting".equals(c.clusterStatus())), "the temporary cluster is gone");
        given().get("/snapshots/drills").then().statusCode(200)
                .body("[0].schedule", equalTo("hourly"))
                .body("[0].verified", equalTo(true))
                .body("[0].cleanedUp", equalTo(true))
                .body("[0].rtoSeconds", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void aFailingVerificationFailsTheDrillAndStillDeletesTheTemporaryNamespace() {
        run();
        JsonPath d = drill("{\"schedule\": \"fin\", \"verify\": \"missing-table\"}");
        assertEquals("FAILED", d.getString("status"));
        assertTrue(d.getString("error").contains("no_such_table"), d.getString("error"));
        assertEquals("SUCCEEDED", d.getString("steps.find { it.name == 'cleanup' }.status"));
        String temp = d.getString("steps.find { it.name == 'restore' }.output.temporary");
        assertTrue(serverless.listNamespaces(b -> b.maxResults(100)).namespaces().stream()
                .noneMatch(n -> n.namespaceName().equals(temp)), "the temporary namespace is gone");
    }

    @Test
    void schedulesAreListedWithAQuotaWarning() {
        given().get("/snapshots/schedules").then().statusCode(200)
                .body("find { it.namespace == 'hourly' }.snapshotsKept", equalTo(3))
                .body("find { it.namespace == 'hourly' }.warning", containsString("more than the manual-snapshot quota of 2"))
                .body("find { it.namespace == 'fin' }.kind", equalTo("serverless"))
                .body("find { it.namespace == 'fin' }.warning", equalTo(null));
    }
}
