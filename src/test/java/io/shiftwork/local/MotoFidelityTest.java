package io.shiftwork.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.redshift.RedshiftClient;
import software.amazon.awssdk.services.redshift.RedshiftClientBuilder;
import software.amazon.awssdk.services.redshift.model.Cluster;
import software.amazon.awssdk.services.redshift.model.ClusterNotFoundException;
import software.amazon.awssdk.services.redshift.model.RedshiftException;
import software.amazon.awssdk.services.redshift.model.Snapshot;

/**
 * The Redshift rules the project's moto extension emulates, one test per rule, each citing the API reference
 * page it follows. Through the real SDK; against the emulator by default, against a real AWS account when
 * {@code SHIFTWORK_FIDELITY_AWS=true} and credentials are present (default provider chain and region, no
 * endpoint override: clusters are created, so it costs money and takes an hour or so). Test names are the rules.
 */
class MotoFidelityTest {

    static final boolean AWS = "true".equalsIgnoreCase(System.getenv("SHIFTWORK_FIDELITY_AWS"));
    /** How long AWS may take for a cluster or snapshot to settle; the emulator takes seconds. */
    static final Duration SETTLE = AWS ? Duration.ofMinutes(40) : Duration.ofSeconds(30);
    static final String RUN = UUID.randomUUID().toString().substring(0, 6);

    static MotoServer moto;
    static RedshiftClient redshift;
    /** An available cluster the snapshot tests share; tests that change a cluster's state make their own. */
    static String shared;
    static final List<String> clusters = new ArrayList<>();
    static final List<String> manualSnapshots = new ArrayList<>();

    @BeforeAll
    static void start() {
        RedshiftClientBuilder builder = RedshiftClient.builder();
        if (AWS) {
            boolean credentials;
            try (DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder().build()) {
                credentials = chain.resolveCredentials() != null;
            } catch (RuntimeException none) {
                credentials = false;
            }
            assumeTrue(credentials, "SHIFTWORK_FIDELITY_AWS=true but the default provider chain finds no AWS credentials");
        } else {
            moto = MotoServer.start(Path.of("target", "fidelity").toAbsolutePath());
            // long enough to observe each transitional state, short enough for a quick suite
            moto.configure(Map.of("transitionSeconds", 2.0, "snapshotSeconds", 2.0));
            builder.endpointOverride(URI.create(moto.endpoint().toString())).region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")));
        }
        redshift = builder.build();
        shared = createCluster("shared");
        awaitStatus(shared, "available");
    }

    @AfterAll
    static void stop() {
        if (redshift != null) {
            for (String s : manualSnapshots) {
                quietly(() -> redshift.deleteClusterSnapshot(b -> b.snapshotIdentifier(s)));
            }
            for (String c : clusters) {
                quietly(() -> redshift.deleteCluster(b -> b.clusterIdentifier(c).skipFinalClusterSnapshot(true)));
            }
            redshift.close();
        }
        if (moto != null) {
            moto.close();
        }
    }

    // ------------------------------------------------------------------ CopyClusterSnapshot

    // https://docs.aws.amazon.com/redshift/latest/APIReference/API_CopyClusterSnapshot.html
    // "Copies the specified automated cluster snapshot to a new manual cluster snapshot."
    @Test
    void copyClusterSnapshotCopiesAnAvailableAutomatedSnapshotIntoAManualOneWithoutTags() {
        Snapshot automated = availableAutomatedSnapshot(shared);
        String target = snapshotId("copy");
        Snapshot copy = redshift.copyClusterSnapshot(b -> b.sourceSnapshotIdentifier(automated.snapshotIdentifier())
                .sourceSnapshotClusterIdentifier(shared).targetSnapshotIdentifier(target)
                .manualSnapshotRetentionPeriod(7)).snapshot();
        manualSnapshots.add(target);
        assertEquals("manual", copy.snapshotType());
        assertEquals(shared, copy.clusterIdentifier());
        assertEquals(7, copy.manualSnapshotRetentionPeriod());
        assertTrue(copy.tags().isEmpty(), "a copy carries no tags of its own: " + copy.tags());
        // the snapshot manager tags the copy afterwards
        String arn = "arn:aws:redshift:" + region() + ":" + copy.ownerAccount() + ":snapshot:" + shared + "/" + target;
        redshift.createTags(b -> b.resourceName(arn).tags(t -> t.key("fidelity").value(RUN)));
        Snapshot described = awaitSnapshot(target, "available");
        assertEquals(Map.of("fidelity", RUN), described.tags().stream()
                .collect(Collectors.toMap(t -> t.key(), t -> t.value())));
    }

    // https://docs.aws.amazon.com/redshift/latest/APIReference/API_CopyClusterSnapshot.html
    // "The source must be an automated snapshot and it must be in the available state."
    @Test
    void copyClusterSnapshotRefusesAManualSourceWithInvalidClusterSnapshotState() {
        String manual = manualSnapshot(shared, "src");
        awaitSnapshot(manual, "available");
        assertAwsError("InvalidClusterSnapshotState", 400, () -> redshift.copyClusterSnapshot(b -> b
                .sourceSnapshotIdentifier(manual).targetSnapshotIdentifier(snapshotId("never"))));
    }

    // https://docs.aws.amazon.com/redshift/latest/APIReference/API_CopyClusterSnapshot.html (Errors)
    @Test
    void copyClusterSnapshotOfAnUnknownSnapshotIsClusterSnapshotNotFound() {
        assertAwsError("ClusterSnapshotNotFound", 404, () -> redshift.copyClusterSnapshot(b -> b
                .sourceSnapshotIdentifier("rs:no-such-cluster-" + RUN).targetSnapshotIdentifier(snapshotId("never"))));
    }

    // https://docs.aws.amazon.com/redshift/latest/APIReference/API_CopyClusterSnapshot.html (Errors)
    @Test
    void copyClusterSnapshotOntoAnExistingIdentifierIsClusterSnapshotAlreadyExists() {
        Snapshot automated = availableAutomatedSnapshot(shared);
        String existing = manualSnapshot(shared, "taken");
        assertAwsError("ClusterSnapshotAlreadyExists", 400, () -> redshift.copyClusterSnapshot(b -> b
                .sourceSnapshotIdentifier(automated.snapshotIdentifier()).targetSnapshotIdentifier(existing)));
    }

    // https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateClusterSnapshot.html
    // ManualSnapshotRetentionPeriod: "The value must be either -1 or an integer between 1 and 3,653."
    @Test
    void manualSnapshotRetentionPeriodOutsideMinusOneOrOneTo3653IsInvalidRetentionPeriod() {
        assertAwsError("InvalidRetentionPeriod", 400, () -> redshift.createClusterSnapshot(b -> b
                .clusterIdentifier(shared).snapshotIdentifier(snapshotId("zero")).manualSnapshotRetentionPeriod(0)));
        Snapshot kept = redshift.createClusterSnapshot(b -> b.clusterIdentifier(shared)
                .snapshotIdentifier(snapshotId("kept")).manualSnapshotRetentionPeriod(3653)).snapshot();
        manualSnapshots.add(kept.snapshotIdentifier());
        assertEquals(3653, kept.manualSnapshotRetentionPeriod());
    }

    // https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateClusterSnapshot.html (SnapshotIdentifier)
    // https://docs.aws.amazon.com/redshift/latest/APIReference/API_CopyClusterSnapshot.html (TargetSnapshotIdentifier)
    // "Must contain from 1 to 255 alphanumeric characters or hyphens. First character must be a letter.
    // Cannot end with a hyphen or contain two consecutive hyphens." AWS answers InvalidParameterValue.
    @Test
    void snapshotIdentifierIs1To255AlphanumericsOrHyphensFirstALetterNoDoubleOrTrailingHyphen() {
        List<String> bad = List.of("1fid-" + RUN, "fid--" + RUN, "fid-" + RUN + "-", "fid_" + RUN, "fid." + RUN,
                "f" + "a".repeat(255));
        for (String id : bad) {
            assertAwsError("InvalidParameterValue", 400, () -> redshift.createClusterSnapshot(b -> b
                    .clusterIdentifier(shared).snapshotIdentifier(id)));
        }
        Snapshot automated = availableAutomatedSnapshot(shared);
        for (String id : bad) {
            assertAwsError("InvalidParameterValue", 400, () -> redshift.copyClusterSnapshot(b -> b
                    .sourceSnapshotIdentifier(automated.snapshotIdentifier()).targetSnapshotIdentifier(id)));
        }
        String longest = ("f" + RUN + "-" + "a".repeat(255)).substring(0, 255).toLowerCase(Locale.ROOT);
        Snapshot taken = redshift.createClusterSnapshot(b -> b.clusterIdentifier(shared).snapshotIdentifier(longest))
                .snapshot();
        manualSnapshots.add(longest);
        assertEquals(longest, taken.snapshotIdentifier());
    }


    // https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateCluster.html: a new cluster is
    // "creating" until it is "available", and takes automated snapshots (AutomatedSnapshotRetentionPeriod
    // default 1 day) that https://docs.aws.amazon.com/redshift/latest/APIReference/API_CopyClusterSnapshot.html copies
    @Test
    void aNewClusterIsCreatingThenAvailableWithAnAutomatedSnapshot() {
        String c = "fid-new-" + RUN;
        Cluster created = redshift.createCluster(b -> b.clusterIdentifier(c).nodeType(nodeType()).clusterType("single-node")
                .masterUsername("fidelity").masterUserPassword("Fidelity1Pass")).cluster();
        clusters.add(c);
        assertEquals("creating", created.clusterStatus());
        assertAwsError("InvalidClusterState", 400,
                () -> redshift.createClusterSnapshot(b -> b.clusterIdentifier(c).snapshotIdentifier(snapshotId("early"))));
        awaitStatus(c, "available");
        assertEquals(c, availableAutomatedSnapshot(c).clusterIdentifier());
    }

    // https://docs.aws.amazon.com/redshift/latest/APIReference/API_PauseCluster.html
    // https://docs.aws.amazon.com/redshift/latest/APIReference/API_ResumeCluster.html
    // InvalidClusterState: "The specified cluster is not in the available state." Pause goes through "pausing",
    // resume through "resuming"; a paused cluster takes no snapshot
    // (https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateClusterSnapshot.html).
    @Test
    void pauseNeedsAvailableAndResumeNeedsPausedEachThroughItsTransitionalState() {
        String c = createCluster("pause");
        awaitStatus(c, "available");
        assertAwsError("InvalidClusterState", 400, () -> redshift.resumeCluster(b -> b.clusterIdentifier(c)));

        int automatedBefore = redshift.describeClusterSnapshots(b -> b.clusterIdentifier(c).snapshotType("automated"))
                .snapshots().size();
        assertEquals("pausing", redshift.pauseCluster(b -> b.clusterIdentifier(c)).cluster().clusterStatus());
        // "When you pause a cluster, Amazon Redshift creates a snapshot"
        // (https://docs.aws.amazon.com/redshift/latest/mgmt/rs-mgmt-pause-resume-cluster.html)
        await(() -> redshift.describeClusterSnapshots(b -> b.clusterIdentifier(c).snapshotType("automated")).snapshots()
                .size() > automatedBefore, "a snapshot taken at the pause of " + c);
        assertAwsError("InvalidClusterState", 400, () -> redshift.pauseCluster(b -> b.clusterIdentifier(c)));
        assertAwsError("InvalidClusterState", 400, () -> redshift.resumeCluster(b -> b.clusterIdentifier(c)));
        awaitStatus(c, "paused");
        assertAwsError("InvalidClusterState", 400,
                () -> redshift.createClusterSnapshot(b -> b.clusterIdentifier(c).snapshotIdentifier(snapshotId("paused"))));
        assertAwsError("InvalidClusterState", 400, () -> redshift.pauseCluster(b -> b.clusterIdentifier(c)));

        assertEquals("resuming", redshift.resumeCluster(b -> b.clusterIdentifier(c)).cluster().clusterStatus());
        assertAwsError("InvalidClusterState", 400, () -> redshift.pauseCluster(b -> b.clusterIdentifier(c)));
        awaitStatus(c, "available");
    }

    // https://docs.aws.amazon.com/redshift/latest/mgmt/rs-mgmt-pause-resume-cluster.html: "You can't pause ...
    // Clusters that have automated snapshots turned off"; API_PauseCluster.html lists UnsupportedOperation
    @Test
    void aClusterWithAutomatedSnapshotsTurnedOffCannotBePaused() {
        String c = ("fid-nosnap-" + RUN).toLowerCase(Locale.ROOT);
        redshift.createCluster(b -> b.clusterIdentifier(c).nodeType(nodeType()).clusterType("single-node")
                .masterUsername("fidelity").masterUserPassword("Fidelity1Pass").automatedSnapshotRetentionPeriod(0));
        clusters.add(c);
        awaitStatus(c, "available");
        assertTrue(redshift.describeClusterSnapshots(b -> b.clusterIdentifier(c)).snapshots().isEmpty(),
                "no automated snapshot with a retention period of 0");
        assertAwsError("UnsupportedOperation", 400, () -> redshift.pauseCluster(b -> b.clusterIdentifier(c)));
    }

    // https://docs.aws.amazon.com/redshift/latest/APIReference/API_DeleteCluster.html: "If a final cluster
    // snapshot is requested, the status of the cluster will be "final-snapshot" while the snapshot is being
    // taken, then it's "deleting""; the final snapshot is manual and stays.
    @Test
    void deleteClusterWithAFinalSnapshotIsFinalSnapshotThenDeletingAndTheSnapshotStays() {
        String c = createCluster("final");
        awaitStatus(c, "available");
        String finalSnapshot = snapshotId("final");
        assertEquals("final-snapshot", redshift.deleteCluster(b -> b.clusterIdentifier(c)
                .finalClusterSnapshotIdentifier(finalSnapshot)).cluster().clusterStatus());
        manualSnapshots.add(finalSnapshot);
        Set<String> seen = new HashSet<>();
        await(() -> {
            try {
                seen.add(status(c));
                return false;
            } catch (ClusterNotFoundException gone) {
                return true;
            }
        }, "cluster " + c + " gone");
        assertTrue(Set.of("final-snapshot", "deleting").containsAll(seen), seen.toString());
        assertEquals("manual", awaitSnapshot(finalSnapshot, "available").snapshotType());
    }

    // https://docs.aws.amazon.com/redshift/latest/APIReference/API_ModifyCluster.html (InvalidClusterState)
    @Test
    void modifyClusterNeedsAnAvailableCluster() {
        String c = createCluster("modify");
        assertAwsError("InvalidClusterState", 400,
                () -> redshift.modifyCluster(b -> b.clusterIdentifier(c).automatedSnapshotRetentionPeriod(2)));
        awaitStatus(c, "available");
        assertEquals(2, redshift.modifyCluster(b -> b.clusterIdentifier(c).automatedSnapshotRetentionPeriod(2))
                .cluster().automatedSnapshotRetentionPeriod());
    }

    // https://docs.aws.amazon.com/redshift/latest/APIReference/API_DeleteCluster.html: the cluster is "deleting",
    // answers DescribeClusters until it is gone, refuses a second delete (InvalidClusterState), and its
    // automated snapshots go with it
    // (https://docs.aws.amazon.com/redshift/latest/APIReference/API_CopyClusterSnapshot.html).
    @Test
    void aDeletedClusterIsDeletingThenClusterNotFoundAndItsAutomatedSnapshotsGo() {
        String c = createCluster("delete");
        awaitStatus(c, "available");
        availableAutomatedSnapshot(c);
        assertEquals("deleting", redshift.deleteCluster(b -> b.clusterIdentifier(c).skipFinalClusterSnapshot(true))
                .cluster().clusterStatus());
        assertEquals("deleting", status(c));
        assertAwsError("InvalidClusterState", 400,
                () -> redshift.deleteCluster(b -> b.clusterIdentifier(c).skipFinalClusterSnapshot(true)));
        assertTrue(redshift.describeClusterSnapshots(b -> b.clusterIdentifier(c).snapshotType("automated"))
                .snapshots().isEmpty());
        await(() -> {
            try {
                status(c);
                return false;
            } catch (ClusterNotFoundException gone) {
                return true;
            }
        }, "cluster " + c + " gone");
    }

    // https://docs.aws.amazon.com/redshift/latest/APIReference/API_RestoreFromClusterSnapshot.html
    // InvalidClusterSnapshotState: "The specified cluster snapshot is not in the available state"; the restored
    // cluster is "creating" until "available".
    @Test
    void restoreFromClusterSnapshotNeedsAnAvailableSnapshotAndCreatesTheCluster() {
        String s = manualSnapshot(shared, "restore");
        String c = "fid-restored-" + RUN;
        assertAwsError("InvalidClusterSnapshotState", 400,
                () -> redshift.restoreFromClusterSnapshot(b -> b.clusterIdentifier(c).snapshotIdentifier(s)));
        awaitSnapshot(s, "available");
        assertAwsError("ClusterSnapshotNotFound", 404, () -> redshift.restoreFromClusterSnapshot(b -> b
                .clusterIdentifier(c).snapshotIdentifier(s).snapshotClusterIdentifier("fid-other-" + RUN)));
        Cluster restored = redshift.restoreFromClusterSnapshot(b -> b.clusterIdentifier(c).snapshotIdentifier(s)
                .snapshotClusterIdentifier(shared)).cluster();
        clusters.add(c);
        assertEquals("creating", restored.clusterStatus());
        awaitStatus(c, "available");
    }

    // ------------------------------------------------------------------ DescribeClusterSnapshots

    // https://docs.aws.amazon.com/redshift/latest/APIReference/API_DescribeClusterSnapshots.html
    // "If you specify both tag keys and tag values ... returns all snapshots that match any combination"
    @Test
    void describeClusterSnapshotsFiltersByTagKeysAndTagValues() {
        String a = manualSnapshot(shared, "tag-a", Map.of("fid-owner-" + RUN, "admin"));
        String b = manualSnapshot(shared, "tag-b", Map.of("fid-env-" + RUN, "test"));
        String c = manualSnapshot(shared, "tag-c", Map.of("fid-owner-" + RUN, "nobody"));
        manualSnapshot(shared, "tag-none");
        assertEquals(Set.of(a, c), ids(redshift.describeClusterSnapshots(r -> r.tagKeys("fid-owner-" + RUN)).snapshots()));
        assertEquals(Set.of(a, b), ids(redshift.describeClusterSnapshots(r -> r
                .tagKeys("fid-owner-" + RUN, "fid-env-" + RUN).tagValues("admin", "test")).snapshots()));
    }

    // https://docs.aws.amazon.com/redshift/latest/APIReference/API_DescribeClusterSnapshots.html
    // With both TagKeys and TagValues a snapshot matches through one tag whose key is among the keys and whose
    // value is among the values ("any combination of those values"), not a key of one tag and a value of another.
    @Test
    void describeClusterSnapshotsTagKeysAndTagValuesMatchTheSameTag() {
        String owner = "fid-owner2-" + RUN;
        String other = "fid-other-" + RUN;
        String same = manualSnapshot(shared, "tag-same", Map.of(owner, "admin"));
        manualSnapshot(shared, "tag-split", Map.of(owner, "nobody", other, "admin"));
        assertEquals(Set.of(same), ids(redshift.describeClusterSnapshots(r -> r.tagKeys(owner).tagValues("admin"))
                .snapshots()));
    }

    // https://docs.aws.amazon.com/redshift/latest/APIReference/API_DescribeClusterSnapshots.html
    // Marker: "returned in a previous DescribeClusterSnapshots request"; one it never issued (a negative or
    // out-of-range offset) is InvalidParameterValue, not a page.
    @Test
    void describeClusterSnapshotsMarkerNotIssuedIsInvalidParameterValue() {
        manualSnapshot(shared, "marker");
        for (String offset : List.of("-5", "0", "100000")) {
            String marker = java.util.Base64.getEncoder().encodeToString(offset.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertAwsError("InvalidParameterValue", 400,
                    () -> redshift.describeClusterSnapshots(r -> r.clusterIdentifier(shared).marker(marker)));
        }
    }

    // https://docs.aws.amazon.com/redshift/latest/APIReference/API_DescribeClusterSnapshots.html
    // StartTime: "created at or after"; EndTime: "created at or before"; SnapshotType: automated | manual
    @Test
    void describeClusterSnapshotsFiltersByTimeAndType() throws InterruptedException {
        String before = manualSnapshot(shared, "time-1");
        Instant between = redshift.describeClusterSnapshots(r -> r.snapshotIdentifier(before)).snapshots().get(0)
                .snapshotCreateTime().plusMillis(1);
        Thread.sleep(AWS ? 60_000 : 50);
        String after = manualSnapshot(shared, "time-2");
        Set<String> fromBetween = ids(redshift.describeClusterSnapshots(r -> r.clusterIdentifier(shared).startTime(between))
                .snapshots());
        assertTrue(fromBetween.contains(after) && !fromBetween.contains(before), fromBetween.toString());
        Set<String> untilBetween = ids(redshift.describeClusterSnapshots(r -> r.clusterIdentifier(shared).endTime(between))
                .snapshots());
        assertTrue(untilBetween.contains(before) && !untilBetween.contains(after), untilBetween.toString());
        List<Snapshot> automated = redshift.describeClusterSnapshots(r -> r.clusterIdentifier(shared).snapshotType("automated"))
                .snapshots();
        assertFalse(automated.isEmpty());
        assertTrue(automated.stream().allMatch(s -> "automated".equals(s.snapshotType())));
        assertTrue(redshift.describeClusterSnapshots(r -> r.clusterIdentifier(shared).snapshotType("manual")).snapshots()
                .stream().allMatch(s -> "manual".equals(s.snapshotType())));
    }

    // https://docs.aws.amazon.com/redshift/latest/APIReference/API_DescribeClusterSnapshots.html
    // MaxRecords: "Default: 100 Constraints: minimum 20, maximum 100"; Marker pages the rest.
    @Test
    void describeClusterSnapshotsPagesWithMaxRecordsAndMarker() {
        String c = createCluster("pages");
        awaitStatus(c, "available");
        Set<String> taken = new HashSet<>();
        for (int i = 0; i < 25; i++) {
            taken.add(manualSnapshot(c, "page-" + i));
        }
        var first = redshift.describeClusterSnapshots(r -> r.clusterIdentifier(c).snapshotType("manual").maxRecords(20));
        assertEquals(20, first.snapshots().size());
        assertNotNull(first.marker());
        var second = redshift.describeClusterSnapshots(r -> r.clusterIdentifier(c).snapshotType("manual").maxRecords(20)
                .marker(first.marker()));
        assertEquals(5, second.snapshots().size());
        assertNull(second.marker());
        Set<String> seen = ids(first.snapshots());
        seen.addAll(ids(second.snapshots()));
        assertEquals(taken, seen);
        assertAwsError("InvalidParameterValue", 400,
                () -> redshift.describeClusterSnapshots(r -> r.clusterIdentifier(c).maxRecords(19)));
    }

    // https://docs.aws.amazon.com/redshift/latest/APIReference/API_DescribeClusterSnapshots.html
    // ClusterIdentifier: "The identifier of the cluster which generated the requested snapshots" - a cluster
    // without snapshots gets none (not every cluster's); an unknown SnapshotIdentifier is ClusterSnapshotNotFound.
    @Test
    void describeClusterSnapshotsOfAClusterWithoutSnapshotsIsEmptyAndOfAnUnknownSnapshotNotFound() {
        manualSnapshot(shared, "exists");
        assertTrue(redshift.describeClusterSnapshots(r -> r.clusterIdentifier("fid-nothing-" + RUN)).snapshots().isEmpty());
        assertAwsError("ClusterSnapshotNotFound", 404,
                () -> redshift.describeClusterSnapshots(r -> r.snapshotIdentifier("fid-nothing-" + RUN)));
    }

    // ------------------------------------------------------------------ helpers

    static String createCluster(String purpose) {
        String c = ("fid-" + purpose + "-" + RUN).toLowerCase(Locale.ROOT);
        redshift.createCluster(b -> b.clusterIdentifier(c).nodeType(nodeType()).clusterType("single-node")
                .masterUsername("fidelity").masterUserPassword("Fidelity1Pass"));
        clusters.add(c);
        return c;
    }

    static String nodeType() {
        return System.getenv().getOrDefault("SHIFTWORK_FIDELITY_NODE_TYPE", "ra3.xlplus");
    }

    static String region() {
        return AWS ? redshift.serviceClientConfiguration().region().id() : Region.US_EAST_1.id();
    }

    static String snapshotId(String purpose) {
        return ("fid-" + purpose + "-" + RUN + "-" + UUID.randomUUID().toString().substring(0, 4)).toLowerCase(Locale.ROOT);
    }

    static String manualSnapshot(String cluster, String purpose) {
        return manualSnapshot(cluster, purpose, Map.of());
    }

    static String manualSnapshot(String cluster, String purpose, Map<String, String> tags) {
        String id = snapshotId(purpose);
        redshift.createClusterSnapshot(b -> b.clusterIdentifier(cluster).snapshotIdentifier(id)
                .tags(tags.entrySet().stream().map(e -> software.amazon.awssdk.services.redshift.model.Tag.builder()
                        .key(e.getKey()).value(e.getValue()).build()).toList()));
        manualSnapshots.add(id);
        return id;
    }

    static Snapshot availableAutomatedSnapshot(String cluster) {
        Snapshot[] found = new Snapshot[1];
        await(() -> {
            found[0] = redshift.describeClusterSnapshots(b -> b.clusterIdentifier(cluster).snapshotType("automated"))
                    .snapshots().stream().filter(s -> "available".equals(s.status())).findFirst().orElse(null);
            return found[0] != null;
        }, "an available automated snapshot of " + cluster);
        return found[0];
    }

    static Snapshot awaitSnapshot(String id, String status) {
        Snapshot[] found = new Snapshot[1];
        await(() -> {
            found[0] = redshift.describeClusterSnapshots(b -> b.snapshotIdentifier(id)).snapshots().get(0);
            return status.equals(found[0].status());
        }, "snapshot " + id + " " + status);
        return found[0];
    }

    static String status(String cluster) {
        return redshift.describeClusters(b -> b.clusterIdentifier(cluster)).clusters().get(0).clusterStatus();
    }

    static void awaitStatus(String cluster, String status) {
        await(() -> status.equals(status(cluster)), "cluster " + cluster + " " + status);
    }

    static void await(Supplier<Boolean> condition, String what) {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + SETTLE + " waiting for " + what);
            }
            MotoServer.sleep(AWS ? 15_000 : 100);
        }
    }

    static void assertAwsError(String code, int httpStatus, Executable call) {
        RedshiftException e = assertThrows(RedshiftException.class, call);
        assertEquals(code, e.awsErrorDetails().errorCode(), e.getMessage());
        assertEquals(httpStatus, e.statusCode(), e.getMessage());
    }

    static Set<String> ids(List<Snapshot> snapshots) {
        return snapshots.stream().map(Snapshot::snapshotIdentifier).collect(Collectors.toCollection(HashSet::new));
    }

    static void quietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException ignored) {
            // best effort clean-up
        }
    }
}
