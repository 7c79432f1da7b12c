package io.shiftwork.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.shiftwork.migration.MigrationPlanner.Action;
import io.shiftwork.migration.MigrationPlanner.Count;
import io.shiftwork.migration.MigrationPlanner.Decision;
import io.shiftwork.migration.MigrationPlanner.Observed;
import io.shiftwork.migration.MigrationPlanner.Phase;
import io.shiftwork.migration.MigrationPlanner.State;
import io.shiftwork.migration.MigrationPlanner.StepChange;
import io.shiftwork.migration.MigrationPlanner.Target;

class MigrationPlannerTest {

    static final Instant NOW = Instant.parse("2026-12-01T06:00:00Z");
    static final Instant LATER = NOW.plusSeconds(60);
    static final Target CREATE = new Target("src", "ns", "wg", true, List.of("airline.bookings", "airline.dim_date"));
    static final Target EXISTING = new Target("src", "ns", "wg", false, List.of("airline.bookings", "airline.dim_date"));
    static final Map<String, Long> COUNTS = Map.of("airline.bookings", 2000L, "airline.dim_date", 31L);
    static final Map<String, Long> SHORT = Map.of("airline.bookings", 1999L, "airline.dim_date", 31L);

    static State at(Phase p) {
        return State.start("snap", true, NOW.plusSeconds(3600)).phase(p);
    }

    static State counting() {
        return at(Phase.COUNTING).submitted("s1", "t1");
    }

    /** Everything in place: the source available, namespace and workgroup AVAILABLE. */
    static Observed ready(String snapshot) {
        return new Observed(LATER, "available", "AVAILABLE", "AVAILABLE", "ns", snapshot, null, null);
    }

    static Observed target(String source, String ns, String wg, String wgNamespace) {
        return new Observed(LATER, source, ns, wg, wgNamespace, null, null, null);
    }

    static Observed counts(Count source, Count target) {
        return new Observed(LATER, "available", "AVAILABLE", "AVAILABLE", "ns", null, source, target);
    }

    static Count finished(Map<String, Long> counts) {
        return new Count("FINISHED", NOW.plusSeconds(30), counts, null);
    }

    static Arguments row(String name, Target t, State s, Observed o, Phase phase, List<Action> actions, String error) {
        return Arguments.of(name, t, s, o, phase, actions, error);
    }

    static Stream<Arguments> transitions() {
        return Stream.of(
                row("missing namespace without create-target: fails before any snapshot, naming it", EXISTING, at(Phase.TARGET),
                        target("available", null, "AVAILABLE", "other"), Phase.FAILED, List.of(Action.REPORT), "namespace ns does not exist"),
                row("missing workgroup without create-target: fails naming it", EXISTING, at(Phase.TARGET),
                        target("available", "AVAILABLE", null, null), Phase.FAILED, List.of(Action.REPORT), "workgroup wg does not exist"),
                row("both missing without create-target: names both", EXISTING, at(Phase.TARGET),
                        target("available", null, null, null), Phase.FAILED, List.of(Action.REPORT), "namespace ns and workgroup wg do not exist"),
                row("missing source cluster fails", CREATE, at(Phase.TARGET), target(null, "AVAILABLE", "AVAILABLE", "ns"),
                        Phase.FAILED, List.of(Action.REPORT), "source cluster src does not exist"),
                row("both missing with create-target: creates both", CREATE, at(Phase.TARGET), target("available", null, null, null),
                        Phase.TARGET, List.of(Action.CREATE_NAMESPACE, Action.CREATE_WORKGROUP), null),
                row("workgroup missing with create-target: creates it only", CREATE, at(Phase.TARGET),
                        target("available", "AVAILABLE", null, null), Phase.TARGET, List.of(Action.CREATE_WORKGROUP), null),
                row("workgroup of another namespace fails", CREATE, at(Phase.TARGET), target("available", "AVAILABLE", "AVAILABLE", "other"),
                        Phase.FAILED, List.of(Action.REPORT), "belongs to namespace other"),
                row("paused source fails", CREATE, at(Phase.TARGET), target("paused", "AVAILABLE", "AVAILABLE", "ns"),
                        Phase.FAILED, List.of(Action.REPORT), "is paused"),
                row("workgroup still CREATING: waits", CREATE, at(Phase.TARGET), target("available", "AVAILABLE", "CREATING", "ns"),
                        Phase.TARGET, List.of(), null),
                row("target ready, no snapshot yet: takes it at once", CREATE, at(Phase.TARGET), ready(null),
                        Phase.SNAPSHOT, List.of(Action.CREATE_SNAPSHOT), null),
                row("snapshot missing after a restart: taken again under the same name", CREATE, at(Phase.SNAPSHOT), ready(null),
                        Phase.SNAPSHOT, List.of(Action.CREATE_SNAPSHOT), null),
                row("configured snapshot missing fails", CREATE, State.start("named", false, NOW.plusSeconds(60)).phase(Phase.SNAPSHOT),
                        ready(null), Phase.FAILED, List.of(Action.REPORT), "snapshot named of cluster src does not exist"),
                row("snapshot creating: waits", CREATE, at(Phase.SNAPSHOT), ready("creating"), Phase.SNAPSHOT, List.of(), null),
                row("snapshot available: restores", CREATE, at(Phase.SNAPSHOT), ready("available"), Phase.RESTORING,
                        List.of(Action.RESTORE), null),
                row("snapshot failed: fails", CREATE, at(Phase.SNAPSHOT), ready("failed"), Phase.FAILED, List.of(Action.REPORT),
                        "snapshot snap is failed"),
                row("namespace MODIFYING: waits", CREATE, at(Phase.RESTORING),
                        new Observed(LATER, "available", "MODIFYING", "AVAILABLE", "ns", null, null, null), Phase.RESTORING, List.of(), null),
                row("namespace AVAILABLE: counts", CREATE, at(Phase.RESTORING), ready(null), Phase.COUNTING,
                        List.of(Action.SUBMIT_COUNTS), null),
                row("namespace gone during the restore fails", CREATE, at(Phase.RESTORING), target("available", null, "AVAILABLE", "ns"),
                        Phase.FAILED, List.of(Action.REPORT), "gone during the restore"),
                row("counts not submitted (restart before they were recorded): submits", CREATE, at(Phase.COUNTING),
                        counts(Count.UNKNOWN, Count.UNKNOWN), Phase.COUNTING, List.of(Action.SUBMIT_COUNTS), null),
                row("counts running: waits", CREATE, counting(), counts(new Count("STARTED", null, null, null), finished(COUNTS)),
                        Phase.COUNTING, List.of(), null),
                row("target count failed once: submits again", CREATE, counting(),
                        counts(finished(COUNTS), new Count("FAILED", null, null, "not ready")), Phase.COUNTING, List.of(Action.SUBMIT_COUNTS), null),
                row("counts match: reports and succeeds", CREATE, counting(), counts(finished(COUNTS), finished(COUNTS)),
                        Phase.SUCCEEDED, List.of(Action.REPORT), null),
                row("counts differ: reports and fails naming the table", CREATE, counting(), counts(finished(COUNTS), finished(SHORT)),
                        Phase.FAILED, List.of(Action.REPORT), "airline.bookings 2000 on src, 1999 on wg"),
                row("past the deadline: fails whatever the phase", CREATE, State.start("snap", true, NOW).phase(Phase.SNAPSHOT),
                        ready("creating"), Phase.FAILED, List.of(Action.REPORT), "shiftwork.migration.timeout"),
                row("an ended migration stays as it is", CREATE, at(Phase.SUCCEEDED), ready(null), Phase.SUCCEEDED, List.of(), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transitions")
    void next(String name, Target t, State s, Observed o, Phase phase, List<Action> actions, String error) {
        Decision d = MigrationPlanner.next(t, s, o);
        assertEquals(phase, d.state().phase(), name);
        assertEquals(actions, d.actions(), name);
        if (error == null) {
            assertNull(d.state().error(), name);
        } else {
            assertTrue(d.state().error() != null && d.state().error().contains(error), name + ": " + d.state().error());
        }
    }

    @Test
    void aMissingNamespaceFailsTheTargetStepAndTakesNoSnapshot() {
        Decision d = MigrationPlanner.next(EXISTING, at(Phase.TARGET), target("available", null, "AVAILABLE", "x"));
        assertEquals(List.of(new StepChange("target", StepChange.Kind.FAIL, null, d.state().error())), d.steps());
        assertTrue(d.state().error().contains("no snapshot was taken"), d.state().error());
        assertTrue(d.actions().stream().noneMatch(a -> a == Action.CREATE_SNAPSHOT));
    }

    @Test
    void recordsWhenTheNamespaceWasAvailableAndWhenTheFirstQueryAnswered() {
        Decision restored = MigrationPlanner.next(CREATE, at(Phase.RESTORING), ready(null));
        assertEquals(LATER, restored.state().namespaceAvailableAt());
        StepChange restore = restored.steps().get(0);
        assertEquals("restore", restore.step());
        assertEquals(LATER.toString(), restore.output().get("namespaceAvailableAt"));
        Decision counted = MigrationPlanner.next(CREATE, restored.state().submitted("s", "t"),
                counts(finished(COUNTS), finished(COUNTS)));
        assertEquals(NOW.plusSeconds(30), counted.state().firstQueryAnsweredAt(), "the target statement's answer time");
        assertEquals(LATER, counted.state().namespaceAvailableAt());
        assertEquals(COUNTS, counted.state().targetCounts());
    }

    @Test
    void countsAreSubmittedAtMostThreeTimes() {
        State s = counting().submitted("s2", "t2").submitted("s3", "t3");
        Decision d = MigrationPlanner.next(CREATE, s, counts(finished(COUNTS), new Count("FAILED", null, null, "relation does not exist")));
        assertEquals(Phase.FAILED, d.state().phase());
        assertTrue(d.state().error().contains("relation does not exist"), d.state().error());
    }

    @Test
    void theSnapshotArnIsTheProvisionedForm() {
        assertEquals("arn:aws:redshift:eu-west-1:123456789012:snapshot:analytics/before-move",
                MigrationPlanner.snapshotArn("eu-west-1", "123456789012", "analytics", "before-move"));
    }

    @Test
    void countsEveryTableInOneStatementOfValidatedIdentifiers() {
        assertEquals("SELECT 1 AS n, count(*) AS row_count FROM airline.bookings UNION ALL SELECT 2 AS n, count(*) AS row_count "
                + "FROM airline.dim_date ORDER BY 1", MigrationPlanner.countSql(CREATE.tables()));
        for (String bad : List.of("bookings", "airline.bookings; drop table x", "Airline.Bookings", "a.b.c", "airline.\"x\"")) {
            assertThrows(IllegalArgumentException.class, () -> new Target("src", "ns", "wg", false, List.of(bad)), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> new Target("src", null, "wg", false, List.of("a.b")));
    }

    @Test
    void configuredTablesAreNormalisedAndEachBadEntryIsNamedWithItsKey() {
        assertEquals(List.of("airline.bookings", "airline.dim_date"),
                MigrationPlanner.tables(List.of(" Airline.Bookings", "airline.dim_date ")));
        assertEquals(List.of(), MigrationPlanner.tables(null));
        for (String bad : List.of("bookings", "airline.bookings; drop table x", "a.b.c", "airline.\"x\"", "", "airline.",
                "1airline.bookings", "airline .bookings", "Airline.Bookings;")) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> MigrationPipelines.check(List.of("airline.dim_date", bad)), bad);
            assertTrue(e.getMessage().startsWith("shiftwork.migration.tables: '" + bad + "'"), e.getMessage());
        }
        IllegalStateException twice = assertThrows(IllegalStateException.class,
                () -> MigrationPipelines.check(List.of("airline.bookings", "AIRLINE.bookings")));
        assertTrue(twice.getMessage().contains("listed twice"), twice.getMessage());
        List<String> many = java.util.stream.IntStream.rangeClosed(0, MigrationPlanner.MAX_TABLES)
                .mapToObj(i -> "s.t" + i).toList();
        assertTrue(assertThrows(IllegalStateException.class, () -> MigrationPipelines.check(many)).getMessage()
                .contains("at most 100"));
        MigrationPipelines.check(List.of()); // unset: nothing to check (a run then fails naming the key)
    }
}
