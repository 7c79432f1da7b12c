package io.shiftwork.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.apache.camel.CamelContext;
import org.apache.camel.cluster.CamelClusterEventListener;
import org.apache.camel.support.cluster.ClusterServiceHelper;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.shiftwork.LocalAwsTestResource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Two cluster-service instances against the emulated DynamoDB, each with a clock the test moves: exactly one leads,
 * the other takes over once the leader's lease has run out without a renewal, and the stalled leader's fence fails.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalAwsTestResource.class, restrictToAnnotatedClass = true)
class LeadershipTest {

    /** A clock the test moves; each replica has its own, as two hosts would. */
    static final class ManualClock extends Clock {
        volatile Instant now = Instant.parse("2026-12-01T02:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private static final Duration LEASE = Duration.ofSeconds(30);

    @Inject
    DynamoDbClient dynamo;
    @Inject
    CamelContext camel;
    @Inject
    Leadership leadership;
    @ConfigProperty(name = "shiftwork.leases.table")
    String table;

    private DynamoClusterView view(String member, ManualClock clock, String namespace) throws Exception {
        DynamoClusterService service = new DynamoClusterService(new LeaseTable(dynamo, table), member, clock, LEASE,
                Duration.ofSeconds(10), false);
        service.setCamelContext(camel);
        service.start();
        return (DynamoClusterView) service.getView(namespace);
    }

    @Test
    void twoInstancesElectExactlyOneLeaderAndHandOverWhenItsLeaseRunsOut() throws Exception {
        String ns = "election-" + UUID.randomUUID().toString().substring(0, 8);
        ManualClock clockA = new ManualClock();
        ManualClock clockB = new ManualClock();
        DynamoClusterView a = view("replica-a", clockA, ns);
        DynamoClusterView b = view("replica-b", clockB, ns);
        List<String> seenByB = java.util.Collections.synchronizedList(new ArrayList<>());
        b.addEventListener((CamelClusterEventListener.Leadership) (v, leader) -> seenByB.add(leader == null ? "none"
                : leader.getId() + (leader.isLocal() ? " (local)" : "")));

        a.round();
        b.round();
        for (int i = 0; i < 3; i++) { // renewals every 10 s keep the leader
            clockA.advance(Duration.ofSeconds(10));
            clockB.advance(Duration.ofSeconds(10));
            a.round();
            b.round();
            assertTrue(a.getLocalMember().isLeader(), "a renewed its lease");
            assertFalse(b.getLocalMember().isLeader(), "exactly one leader");
        }
        assertEquals("replica-a", b.getLeader().orElseThrow().getId());
        long tokenA = a.token();
        assertEquals(tokenA, new LeaseTable(dynamo, table).read(ns).orElseThrow().token());
        a.fence(tokenA, "PauseCluster x"); // the leader passes its fence

        // a stalls: no renewal; b looks every 10 s and takes the lease once it has expired
        clockB.advance(Duration.ofSeconds(20));
        b.round();
        assertFalse(b.getLocalMember().isLeader(), "not before the lease has run out");
        clockB.advance(Duration.ofSeconds(15));
        b.round();
        assertTrue(b.getLocalMember().isLeader(), "b took over");
        assertEquals(tokenA + 1, b.token(), "the fencing token grew");

        // a wakes up 40 s later: it does not lead by its own clock, and its fence fails in DynamoDB
        clockA.advance(Duration.ofSeconds(40));
        assertFalse(a.getLocalMember().isLeader(), "a stalled leader stops leading at its own deadline");
        NotLeader refused = assertThrows(NotLeader.class, () -> a.fence(tokenA, "PauseCluster x"));
        assertTrue(refused.getMessage().contains("replica-a did not PauseCluster x"), refused.getMessage());
        a.round();
        assertFalse(a.getLocalMember().isLeader());
        assertEquals("replica-b", a.getLeader().orElseThrow().getId(), "a follows b");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> seenByB.size() >= 3);
        assertEquals(List.of("none", "replica-a", "replica-b (local)"), List.copyOf(seenByB), "a catch-up event when b listened, then the changes");
    }

    @Test
    void aStalledLeaderWhoseClockSaysItStillLeadsIsFencedByTheStoredToken() throws Exception {
        String ns = "fence-" + UUID.randomUUID().toString().substring(0, 8);
        ManualClock clockA = new ManualClock();
        ManualClock clockB = new ManualClock();
        DynamoClusterView a = view("replica-a", clockA, ns);
        DynamoClusterView b = view("replica-b", clockB, ns);
        a.round();
        long tokenA = a.token();
        clockB.advance(LEASE.plusSeconds(1)); // b's clock runs ahead (or a's stalled while it was frozen)
        b.round();
        assertTrue(b.getLocalMember().isLeader());
        assertTrue(a.getLocalMember().isLeader(), "a's own clock has not passed its deadline");
        assertThrows(NotLeader.class, () -> a.fence(tokenA, "ResumeCluster x"), "the conditional write on the token fails");
        assertFalse(a.getLocalMember().isLeader(), "a failed fence ends the leadership at once");
        b.fence(b.token(), "ResumeCluster x");
    }

    @Test
    void aReleasedLeaseIsTakenAtOnceWithAGreaterToken() throws Exception {
        String ns = "release-" + UUID.randomUUID().toString().substring(0, 8);
        ManualClock clock = new ManualClock();
        DynamoClusterView a = view("replica-a", clock, ns);
        DynamoClusterView b = view("replica-b", clock, ns);
        a.round();
        long tokenA = a.token();
        a.stop(); // a replica shutting down gives its lease back
        b.round();
        assertTrue(b.getLocalMember().isLeader(), "no wait for the expiry");
        assertEquals(tokenA + 1, b.token());
    }

    @Test
    void aLeasesTableNotYetCreatedAtStartUpIsNoWarningButStillMissingAfterTheStartUpMinuteIs() throws Exception {
        ManualClock clock = new ManualClock();
        DynamoClusterService service = new DynamoClusterService(new LeaseTable(dynamo, "no-such-table-"
                + UUID.randomUUID().toString().substring(0, 8)), "replica-a", clock, LEASE, Duration.ofSeconds(10), false);
        service.setCamelContext(camel);
        service.start();
        DynamoClusterView view = (DynamoClusterView) service.getView("startup-" + UUID.randomUUID().toString().substring(0, 8));
        List<java.util.logging.LogRecord> warnings = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                    warnings.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(DynamoClusterView.class.getName());
        logger.addHandler(capture);
        try {
            view.round(); // Camel started the view before the bootstrap created the table
            clock.advance(Duration.ofSeconds(10));
            view.round();
            assertEquals(List.of(), warnings.stream().map(java.util.logging.LogRecord::getMessage).toList(), "not yet, at DEBUG");
            assertFalse(view.getLocalMember().isLeader());
            clock.advance(Duration.ofMillis(DynamoClusterView.STARTUP_MILLIS));
            view.round();
            assertEquals(1, warnings.size(), "a table still missing after start-up is a WARN");
            String logged = warnings.get(0) instanceof org.jboss.logmanager.ExtLogRecord ext ? ext.getFormattedMessage()
                    : warnings.get(0).getMessage();
            assertTrue(logged.contains("leadership round of startup-"), logged);
        } finally {
            logger.removeHandler(capture);
            service.stop();
        }
    }

    @Test
    void camelUsesTheDynamoDbClusterServiceForTheMasterRoutes() {
        assertEquals(leadership.service(), ClusterServiceHelper.lookupService(camel).orElseThrow());
        for (String route : List.of("pause-resume-daily", "pause-resume-executor", "snapshots-tick", "snapshot-drill-tick")) {
            String uri = camel.getRoute(route).getEndpoint().getEndpointUri();
            assertTrue(uri.startsWith("master://shiftwork:timer") || uri.startsWith("master:shiftwork:timer"), route + ": " + uri);
        }
        // application.properties quiets the WARN Camel 4.14's MasterConsumer bug makes after every successful start,
        // and only it: a master: route that fails to start is still MasterConsumer's WARN
        assertFalse(org.slf4j.LoggerFactory.getLogger("org.apache.camel.support.task.BackgroundTask").isWarnEnabled());
        assertTrue(org.slf4j.LoggerFactory.getLogger("org.apache.camel.support.task.BackgroundTask").isErrorEnabled());
        assertTrue(org.slf4j.LoggerFactory.getLogger("org.apache.camel.component.master.MasterConsumer").isWarnEnabled());
    }
}
