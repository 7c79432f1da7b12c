package io.shiftwork.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.shiftwork.cluster.LeaseRules.Decision;
import io.shiftwork.cluster.LeaseRules.Kind;

class LeaseRulesTest {

    record Row(String why, Lease stored, long myToken, long now, Decision expected) {
    }

    @Test
    void eachReplicaRenewsTakesOrFollowsByTheLeaseItReads() {
        List<Row> table = List.of(
                new Row("no lease yet: take token 1", null, 0, 1000, new Decision(Kind.ACQUIRE, 1, null)),
                new Row("my lease, my token: renew", new Lease("a", 4, 5000), 4, 1000, new Decision(Kind.RENEW, 4, "a")),
                new Row("my lease expired but unchanged: renew it", new Lease("a", 4, 900), 4, 1000, new Decision(Kind.RENEW, 4, "a")),
                new Row("another's live lease: follow", new Lease("b", 7, 5000), 0, 1000, new Decision(Kind.FOLLOW, 7, "b")),
                new Row("another's live lease while I think I lead: follow (lost)", new Lease("b", 5, 5000), 4, 1000,
                        new Decision(Kind.FOLLOW, 5, "b")),
                new Row("another's expired lease: take the next token", new Lease("b", 7, 1000), 0, 1000,
                        new Decision(Kind.ACQUIRE, 8, null)),
                new Row("my own name with an older token (a restart): not renewed, taken anew once expired",
                        new Lease("a", 3, 900), 0, 1000, new Decision(Kind.ACQUIRE, 4, null)),
                new Row("my own name, older token, not expired: wait", new Lease("a", 3, 2000), 0, 1000,
                        new Decision(Kind.FOLLOW, 3, "a")),
                new Row("a released lease (until 0): taken at once", new Lease("b", 9, 0), 0, 1000, new Decision(Kind.ACQUIRE, 10, null)));
        for (Row r : table) {
            assertEquals(r.expected(), LeaseRules.decide(r.stored(), "a", r.myToken(), r.now()), r.why());
        }
    }

    @Test
    void aLeaderLeadsOnlyUntilItsOwnDeadline() {
        Duration lease = Duration.ofSeconds(30);
        assertTrue(LeaseRules.leads(3, 10_000, lease, 39_999));
        assertFalse(LeaseRules.leads(3, 10_000, lease, 40_000), "the deadline counts from the start of the renewing request");
        assertFalse(LeaseRules.leads(0, 10_000, lease, 10_001), "no token, no leadership");
    }

    @Test
    void badSettingsNameTheirKey() {
        assertTrue(LeaseRules.problem("shiftwork", Duration.ofSeconds(30), Duration.ofSeconds(10)).isEmpty());
        assertTrue(LeaseRules.problem("prod.eu-1", Duration.ofSeconds(2), Duration.ofSeconds(1)).isEmpty());
        assertEquals(List.of("shiftwork.cluster.namespace", "shiftwork.cluster.namespace", "shiftwork.cluster.lease-duration",
                "shiftwork.cluster.renew-interval", "shiftwork.cluster.renew-interval", "shiftwork.cluster.lease-duration"),
                List.of(LeaseRules.problem("", Duration.ofSeconds(30), Duration.ofSeconds(10)).get(),
                        LeaseRules.problem("a b", Duration.ofSeconds(30), Duration.ofSeconds(10)).get(),
                        LeaseRules.problem("x", Duration.ofMillis(500), Duration.ofMillis(100)).get(),
                        LeaseRules.problem("x", Duration.ofSeconds(30), Duration.ZERO).get(),
                        LeaseRules.problem("x", Duration.ofSeconds(30), Duration.ofSeconds(16)).get(),
                        LeaseRules.problem("x", Duration.ofSeconds(-5), Duration.ofSeconds(1)).get())
                        .stream().map(m -> m.substring(0, m.indexOf(' '))).toList());
        assertTrue(LeaseRules.problem("x", Duration.ofSeconds(30), Duration.ofSeconds(16)).get()
                .contains("at most half of shiftwork.cluster.lease-duration"));
    }
}
