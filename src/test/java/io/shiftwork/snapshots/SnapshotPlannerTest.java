package io.shiftwork.snapshots;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;

class SnapshotPlannerTest {

    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    private static final Schedule HOURLY = new Schedule("hourly", Schedule.Kind.PROVISIONED, "sales", "us-east-1",
            Duration.ofHours(1), Optional.of(Duration.ofHours(6)));
    private final SnapshotPlanner planner = new SnapshotPlanner();

    private static Map<String, String> ours(String namespace) {
        return Map.of(SnapshotPlanner.CREATED_BY, SnapshotPlanner.CREATED_BY_VALUE, SnapshotPlanner.SCHEDULE_NAMESPACE, namespace);
    }

    private static SnapshotInfo manual(String id, String target, Duration age, Map<String, String> tags) {
        return new SnapshotInfo(id, target, true, NOW.minus(age), "available", tags);
    }

    @Test
    void takesAManualSnapshotWhenNothingOfItsOwnIsFresh() {
        SnapshotPlanner.Plan plan = planner.plan(HOURLY, NOW, List.of(
                manual("someone-elses", "sales", Duration.ofMinutes(5), Map.of()),
                manual("other-schedule", "sales", Duration.ofMinutes(5), ours("daily"))));
        SnapshotPlanner.Create c = plan.create().orElseThrow();
        assertEquals("hourly-sales-2026-11-21t120000", c.identifier());
        assertTrue(c.sourceAutomated().isEmpty());
        assertEquals(Map.of("createdBy", "Shiftwork Snapshot Manager", "scheduleNamespace", "hourly",
                "creationTimestamp", "2026-11-21T12:00:00Z"), c.tags());
    }

    @Test
    void skipsWhileItsOwnSnapshotIsFresh() {
        SnapshotPlanner.Plan plan = planner.plan(HOURLY, NOW, List.of(manual("mine", "sales", Duration.ofMinutes(59), ours("hourly"))));
        assertTrue(plan.create().isEmpty());
        assertTrue(plan.reason().startsWith("fresh"));
    }

    @Test
    void beforeAPauseTakesASnapshotOnlyWhenTheSchedulesRecoveryPointWouldLapseWhilePaused() {
        List<SnapshotInfo> tenMinutesOld = List.of(manual("mine", "sales", Duration.ofMinutes(10), ours("hourly")),
                manual("someone-elses", "sales", Duration.ofMinutes(1), Map.of()));
        assertTrue(planner.beforePause(HOURLY, NOW, NOW.plus(Duration.ofMinutes(45)), tenMinutesOld).isEmpty(),
                "back before the newest is an interval old: nothing to take");
        SnapshotPlanner.BeforePause due = planner.beforePause(HOURLY, NOW, NOW.plus(Duration.ofHours(8)), tenMinutesOld)
                .orElseThrow();
        assertEquals(NOW.plus(Duration.ofMinutes(50)), due.lapsesAt());
        assertEquals("hourly-sales-2026-11-21t120000", due.create().identifier());
        assertTrue(due.create().sourceAutomated().isEmpty(), "a manual snapshot of the data as paused, not an older copy");
        assertEquals("hourly", due.create().tags().get(SnapshotPlanner.SCHEDULE_NAMESPACE));
        assertEquals(NOW, planner.beforePause(HOURLY, NOW, NOW.plus(Duration.ofHours(2)), List.of()).orElseThrow().lapsesAt(),
                "none of its own yet: already lapsed");
    }

    /** moto has no CopyClusterSnapshot: the copy path is covered by this test of the plan. */
    @Test
    void copiesTheNewestAutomatedSnapshotWhenItIsWithinTheInterval() {
        SnapshotPlanner.Plan plan = planner.plan(HOURLY, NOW, List.of(
                new SnapshotInfo("rs:sales-auto-1", "sales", false, NOW.minus(Duration.ofMinutes(50)), "available", Map.of()),
                new SnapshotInfo("rs:sales-auto-2", "sales", false, NOW.minus(Duration.ofMinutes(10)), "available", Map.of()),
                new SnapshotInfo("rs:sales-auto-3", "sales", false, NOW.minus(Duration.ofMinutes(1)), "creating", Map.of()),
                new SnapshotInfo("rs:other-auto", "other", false, NOW.minus(Duration.ofMinutes(1)), "available", Map.of())));
        assertEquals(Optional.of("rs:sales-auto-2"), plan.create().orElseThrow().sourceAutomated());
    }

    @Test
    void takesAManualSnapshotWhenTheAutomatedOneIsOlderThanTheInterval() {
        SnapshotPlanner.Plan plan = planner.plan(HOURLY, NOW, List.of(
                new SnapshotInfo("rs:sales-auto", "sales", false, NOW.minus(Duration.ofMinutes(61)), "available", Map.of())));
        assertTrue(plan.create().orElseThrow().sourceAutomated().isEmpty());
    }

    @Test
    void retentionDeletesOnlyItsOwnOldManualSnapshotsOfItsTarget() {
        SnapshotPlanner.Plan plan = planner.plan(HOURLY, NOW, List.of(
                manual("old-mine", "sales", Duration.ofHours(7), ours("hourly")),
                manual("young-mine", "sales", Duration.ofHours(5), ours("hourly")),
                manual("old-untagged", "sales", Duration.ofHours(7), Map.of()),
                manual("old-other-namespace", "sales", Duration.ofHours(7), ours("daily")),
                manual("old-only-namespace-tag", "sales", Duration.ofHours(7), Map.of("scheduleNamespace", "hourly")),
                manual("old-other-cluster", "analytics", Duration.ofHours(7), ours("hourly")),
                new SnapshotInfo("old-automated", "sales", false, NOW.minus(Duration.ofHours(7)), "available", ours("hourly"))));
        assertEquals(List.of("old-mine"), plan.delete());
    }

    @Test
    void withoutRetentionNothingIsDeleted() {
        Schedule forever = new Schedule("forever", Schedule.Kind.PROVISIONED, "sales", "us-east-1", Duration.ofDays(7), Optional.empty());
        assertEquals(List.of(), planner.plan(forever, NOW, List.of(manual("ancient", "sales", Duration.ofDays(900), ours("forever")))).delete());
    }

    @Test
    void identifiersStayWithinRedshiftRules() {
        Schedule s = new Schedule("weekly-long", Schedule.Kind.PROVISIONED, "Analytics--Prod", "us-east-1", Duration.ofDays(7), Optional.empty());
        String id = SnapshotPlanner.identifier(s, NOW);
        assertTrue(id.matches("[a-z]([a-z0-9]|-(?!-))*[a-z0-9]") && id.length() <= 255, id);
    }

    /** Property: over random snapshot sets, a deleted snapshot is always manual, ours, this schedule's, this target's, old. */
    @Test
    void neverDeletesASnapshotThatIsNotItsOwnExpiredManualOne() {
        Random random = new Random(20261121);
        String[] targets = { "sales", "analytics", "sales-dr" };
        String[] namespaces = { "hourly", "daily", "hourly-2" };
        int deletions = 0;
        for (int round = 0; round < 2000; round++) {
            List<SnapshotInfo> set = new ArrayList<>();
            int n = random.nextInt(30);
            for (int i = 0; i < n; i++) {
                Map<String, String> tags = new HashMap<>();
                if (random.nextBoolean()) {
                    tags.put(SnapshotPlanner.CREATED_BY, random.nextInt(4) == 0 ? "someone" : SnapshotPlanner.CREATED_BY_VALUE);
                }
                if (random.nextBoolean()) {
                    tags.put(SnapshotPlanner.SCHEDULE_NAMESPACE, namespaces[random.nextInt(namespaces.length)]);
                }
                set.add(new SnapshotInfo("s" + round + "-" + i, targets[random.nextInt(targets.length)], random.nextBoolean(),
                        NOW.minus(Duration.ofMinutes(random.nextInt(60 * 24))), random.nextInt(5) == 0 ? "creating" : "available", tags));
            }
            SnapshotPlanner.Plan plan = planner.plan(HOURLY, NOW, set);
            for (String id : plan.delete()) {
                SnapshotInfo s = set.stream().filter(x -> x.identifier().equals(id)).findFirst().orElseThrow();
                assertTrue(s.manual() && s.target().equals("sales") && s.available()
                        && SnapshotPlanner.CREATED_BY_VALUE.equals(s.tags().get(SnapshotPlanner.CREATED_BY))
                        && "hourly".equals(s.tags().get(SnapshotPlanner.SCHEDULE_NAMESPACE))
                        && s.createdAt().isBefore(NOW.minus(Duration.ofHours(6))), "deleted a snapshot it must keep: " + s);
                deletions++;
            }
        }
        assertTrue(deletions > 100, "the property was exercised: " + deletions + " deletions checked");
    }
}
