package io.shiftwork.local.redshift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.redshiftdata.model.DescribeStatementResponse;
import software.amazon.awssdk.services.redshiftdata.model.ValidationException;

/**
 * The hooks moto calls on the local Redshift ({@code POST /_emulator/cluster-snapshot} …), over HTTP as moto
 * calls them: a provisioned snapshot holds a copy of each of the cluster's databases, a restore (into a cluster or
 * a Serverless namespace) brings it back, and {@code cluster-changed} drops a cached status.
 */
class ClusterHooksTest {

    private static FidelityTarget t;

    @BeforeAll
    static void target() {
        t = FidelityTarget.get();
        t.local();
    }

    @AfterEach
    void caching() {
        t.local().redshift().clusterStatusCache(null);
    }

    private DescribeStatementResponse run(String cluster, String database, String sql) {
        DescribeStatementResponse d = t.awaitDone(t.data.executeStatement(b -> b.clusterIdentifier(cluster)
                .database(database).dbUser("awsuser").sql(sql)).id());
        assertEquals("FINISHED", d.statusAsString(), sql + ": " + d.error());
        return d;
    }

    private long count(String cluster, String database, String table) {
        String id = run(cluster, database, "select count(*) from " + table).id();
        return t.data.getStatementResult(b -> b.id(id)).records().get(0).get(0).longValue();
    }

    private String hook(String command, String body) {
        HttpResponse<String> r = t.admin(command, body);
        assertEquals(200, r.statusCode(), command + " " + body + " -> " + r.body());
        return r.body();
    }

    private static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aSnapshotHoldsEveryDatabaseOfTheClusterAsItWasAndARestoreBringsItBack() {
        String source = t.availableCluster();
        run(source, "dev", "create table trips (id int)");
        run(source, "dev", "insert into trips values (1), (2)");
        run(source, "dev", "create database analytics"); // a database a statement names must exist, as on Redshift
        run(source, "analytics", "create table kpis (id int)");
        run(source, "analytics", "insert into kpis values (1)");
        String snap = id("snap");
        String body = hook("cluster-snapshot", "{\"clusterIdentifier\":\"" + source + "\",\"snapshotIdentifier\":\"" + snap + "\"}");
        assertTrue(body.contains("\"databases\":[\"analytics\",\"dev\"]"), body);
        run(source, "dev", "insert into trips values (3)");

        String copy = id("copy");
        hook("copy-snapshot", "{\"sourceSnapshotIdentifier\":\"" + snap + "\",\"targetSnapshotIdentifier\":\"" + copy + "\"}");
        hook("delete-snapshot", "{\"snapshotIdentifier\":\"" + snap + "\"}");

        String restored = t.availableCluster();
        hook("cluster-restore", "{\"snapshotIdentifier\":\"" + copy + "\",\"clusterIdentifier\":\"" + restored + "\"}");
        assertEquals(2L, count(restored, "dev", "trips"), "the data as it was when the snapshot was taken");
        assertEquals(1L, count(restored, "analytics", "kpis"));
        assertEquals(3L, count(source, "dev", "trips"), "the source cluster keeps its own data");

        HttpResponse<String> gone = t.admin("cluster-restore", "{\"snapshotIdentifier\":\"" + snap + "\",\"clusterIdentifier\":\""
                + restored + "\"}");
        assertEquals(404, gone.statusCode(), gone.body());
        assertTrue(gone.body().contains(snap), gone.body());
    }

    @Test
    void aSnapshotIsTakenWhileAStatementHoldsAConnectionToTheCluster() throws Exception {
        String cluster = t.availableCluster();
        run(cluster, "dev", "create table t (id int)");
        run(cluster, "dev", "insert into t values (1)");
        // an idle pooled connection stays open after every statement; this one is busy as well
        String busy = t.data.executeStatement(b -> b.clusterIdentifier(cluster).database("dev").dbUser("awsuser")
                .sql("select pg_sleep(3)")).id();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!"STARTED".equals(t.data.describeStatement(b -> b.id(busy)).statusAsString()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        String snap = id("busy");
        hook("cluster-snapshot", "{\"clusterIdentifier\":\"" + cluster + "\",\"snapshotIdentifier\":\"" + snap + "\"}");
        assertEquals("FINISHED", t.awaitDone(busy).statusAsString(), "the snapshot waited for the running statement");
        String restored = t.availableCluster();
        hook("cluster-restore", "{\"snapshotIdentifier\":\"" + snap + "\",\"clusterIdentifier\":\"" + restored + "\"}");
        assertEquals(1L, count(restored, "dev", "t"));
        assertEquals(1L, count(cluster, "dev", "t"), "the source cluster still answers");
    }

    // API_RestoreFromSnapshot: a provisioned snapshot by ARN only, into an existing namespace and workgroup;
    // snapshotName and snapshotArn not both
    @Test
    void aServerlessNamespaceRestoresAProvisionedSnapshotGivenItsArn() {
        String cluster = t.availableCluster();
        run(cluster, "dev", "create table migrated (v varchar(10))");
        run(cluster, "dev", "insert into migrated values ('kept')");
        String snap = id("migrate");
        t.redshift.createClusterSnapshot(b -> b.clusterIdentifier(cluster).snapshotIdentifier(snap));
        awaitSnapshot(snap, "available");
        run(cluster, "dev", "insert into migrated values ('after')");
        String ns = id("ns");
        String arn = "arn:aws:redshift:us-east-1:123456789012:snapshot:" + cluster + "/" + snap;
        assertThrows(software.amazon.awssdk.services.redshiftserverless.model.ResourceNotFoundException.class,
                () -> t.serverless.restoreFromSnapshot(b -> b.namespaceName(ns).workgroupName(ns).snapshotArn(arn)),
                "no such namespace");
        t.serverless.createNamespace(b -> b.namespaceName(ns).dbName("dev"));
        assertThrows(software.amazon.awssdk.services.redshiftserverless.model.ResourceNotFoundException.class,
                () -> t.serverless.restoreFromSnapshot(b -> b.namespaceName(ns).workgroupName(ns).snapshotArn(arn)),
                "no such workgroup");
        t.serverless.createWorkgroup(b -> b.workgroupName(ns).namespaceName(ns));
        assertThrows(software.amazon.awssdk.services.redshiftserverless.model.ValidationException.class,
                () -> t.serverless.restoreFromSnapshot(b -> b.namespaceName(ns).workgroupName(ns).snapshotArn(arn)
                        .snapshotName(snap)), "snapshotName and snapshotArn together");
        for (String wrong : List.of("arn:aws:redshift:us-east-1:123456789012:snapshot:other-cluster/" + snap,
                "arn:aws:redshift:us-east-1:210987654321:snapshot:" + cluster + "/" + snap,
                "arn:aws:redshift:us-east-1:123456789012:snapshot:" + cluster + "/no-such-snapshot")) {
            assertThrows(software.amazon.awssdk.services.redshiftserverless.model.ResourceNotFoundException.class,
                    () -> t.serverless.restoreFromSnapshot(b -> b.namespaceName(ns).workgroupName(ns).snapshotArn(wrong)), wrong);
        }
        t.admin("settings", "{\"restoreMillis\":1500}");
        try {
            String status = t.serverless.restoreFromSnapshot(b -> b.namespaceName(ns).workgroupName(ns).snapshotArn(arn))
                    .namespace().statusAsString();
            assertEquals("MODIFYING", status);
            assertThrows(ValidationException.class, () -> t.data.executeStatement(b -> b.workgroupName(ns).database("dev")
                    .sql("select 1")), "a namespace being restored answers no statement");
        } finally {
            t.admin("settings", "{\"restoreMillis\":300}");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!"AVAILABLE".equals(t.serverless.getNamespace(b -> b.namespaceName(ns)).namespace().statusAsString())) {
            assertTrue(System.nanoTime() < deadline, "namespace AVAILABLE again");
            sleep(50);
        }
        String q = t.awaitDone(t.data.executeStatement(b -> b.workgroupName(ns).database("dev")
                .sql("select v from migrated")).id()).id();
        var rows = t.data.getStatementResult(b -> b.id(q)).records();
        assertEquals(1, rows.size(), "the rows as of the snapshot");
        assertEquals("kept", rows.get(0).get(0).stringValue());
    }

    private void awaitSnapshot(String snapshot, String status) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!status.equals(t.redshift.describeClusterSnapshots(b -> b.snapshotIdentifier(snapshot)).snapshots().get(0).status())) {
            assertTrue(System.nanoTime() < deadline, snapshot + " " + status);
            sleep(50);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aRestoreFromACopyOfAnAutomatedSnapshotHoldsTheDataAsOfThatSnapshot() {
        // end to end through moto's extension: AWS takes an automated snapshot ('rs:<cluster>-<time>') at a pause;
        // the snapshot manager copies it; a drill restores the copy
        String cluster = t.availableCluster();
        run(cluster, "dev", "create table kept (v int)");
        run(cluster, "dev", "insert into kept values (1), (2), (3), (4), (5)");
        t.redshift.pauseCluster(b -> b.clusterIdentifier(cluster));
        awaitStatus(cluster, "paused");
        t.redshift.resumeCluster(b -> b.clusterIdentifier(cluster));
        awaitStatus(cluster, "available");
        run(cluster, "dev", "insert into kept values (6)");
        String automated = t.redshift.describeClusterSnapshots(b -> b.clusterIdentifier(cluster).snapshotType("automated"))
                .snapshots().stream().filter(sn -> "available".equals(sn.status())).reduce((a, b) -> b).orElseThrow()
                .snapshotIdentifier();
        assertTrue(automated.startsWith("rs:"), automated);
        String copy = id("copy");
        t.redshift.copyClusterSnapshot(b -> b.sourceSnapshotIdentifier(automated).sourceSnapshotClusterIdentifier(cluster)
                .targetSnapshotIdentifier(copy));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> "available".equals(t.redshift
                .describeClusterSnapshots(b -> b.snapshotIdentifier(copy)).snapshots().get(0).status()));
        String restored = id("restored");
        t.redshift.restoreFromClusterSnapshot(b -> b.clusterIdentifier(restored).snapshotIdentifier(copy));
        awaitStatus(restored, "available");
        assertEquals(5, count(restored, "dev", "kept"), "the rows as of the pause, not the one inserted after");
    }

    @Test
    void aDeletedClustersDataGoesWithItAndItsFinalSnapshotKeepsIt() {
        String cluster = t.availableCluster();
        run(cluster, "dev", "create table gone (v int)");
        run(cluster, "dev", "insert into gone values (1), (2), (3)");
        String fin = id("final");
        t.redshift.deleteCluster(b -> b.clusterIdentifier(cluster).finalClusterSnapshotIdentifier(fin));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> t.redshift.describeClusters().clusters()
                .stream().noneMatch(c -> c.clusterIdentifier().equals(cluster)));
        t.redshift.createCluster(b -> b.clusterIdentifier(cluster).nodeType("ra3.xlplus").numberOfNodes(2)
                .masterUsername("awsuser").masterUserPassword("Passw0rd-not-secret"));
        awaitStatus(cluster, "available");
        DescribeStatementResponse none = t.awaitDone(t.data.executeStatement(b -> b.clusterIdentifier(cluster)
                .database("dev").dbUser("awsuser").sql("select count(*) from gone")).id());
        assertEquals("FAILED", none.statusAsString(), "a new cluster of the same name starts empty");
        String restored = id("restored");
        t.redshift.restoreFromClusterSnapshot(b -> b.clusterIdentifier(restored).snapshotIdentifier(fin));
        awaitStatus(restored, "available");
        assertEquals(3, count(restored, "dev", "gone"), "the final snapshot kept the data");
    }

    private void awaitStatus(String cluster, String status) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                status.equals(t.redshift.describeClusters(b -> b.clusterIdentifier(cluster)).clusters().get(0).clusterStatus()));
    }

    @Test
    void aCachedClusterStatusIsDroppedWhenMotoReportsAChange() {
        t.local().redshift().clusterStatusCache(true);
        String cluster = t.availableCluster();
        run(cluster, "dev", "select 1"); // 'available' is cached now
        // moto's extension reports the pause through the cluster-changed hook: the cached status is dropped at once
        t.redshift.pauseCluster(b -> b.clusterIdentifier(cluster));
        assertThrows(ValidationException.class, () -> t.data.executeStatement(b -> b.clusterIdentifier(cluster)
                .database("dev").dbUser("awsuser").sql("select 1")));
    }

    @Test
    void aHookWithoutItsIdentifiersAnswers400NamingTheField() {
        for (String command : List.of("cluster-snapshot", "copy-snapshot", "delete-snapshot", "cluster-restore", "cluster-changed")) {
            HttpResponse<String> r = t.admin(command, "{}");
            assertEquals(400, r.statusCode(), command);
            assertTrue(r.body().contains("Identifier is required"), r.body());
        }
        HttpResponse<String> bad = t.admin("cluster-changed", "{\"clusterIdentifier\":\"x'; drop\"}");
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("clusterIdentifier"), bad.body());
    }
}
