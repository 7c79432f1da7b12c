package io.shiftwork.migration;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The migration's life cycle as a pure transition function: {@code next(target, state, observed)} gives the next
 * state, the AWS actions to carry out and the run steps to record. The state is kept with the run, and every
 * decision is taken again from what AWS says now, so a migration whose instance stopped is carried on by the next
 * one from the recorded state (an action repeated after a restart is harmless: a snapshot is created under the name
 * the run chose before, a second restore of the same snapshot restores the same data, counts are read-only).
 * <p>
 * TARGET (source cluster, namespace and workgroup exist; created first when configured to, else the run fails
 * naming the missing one, before any snapshot) → SNAPSHOT (taken, or the configured one, until {@code available})
 * → RESTORING (RestoreFromSnapshot by ARN, until the namespace is AVAILABLE again) → COUNTING (row counts on both
 * sides) → SUCCEEDED or FAILED, with the SNS report.
 */
public final class MigrationPlanner {

    /** schema.table, each a Redshift identifier as written unquoted. */
    static final Pattern TABLE = Pattern.compile("[a-z_][a-z0-9_$]{0,126}\\.[a-z_][a-z0-9_$]{0,126}");
    /** The most tables one run compares (one UNION ALL statement per side). */
    public static final int MAX_TABLES = 100;
    /** Count statements submitted at most this many times (a target that does not answer yet after the restore). */
    static final int MAX_COUNT_ATTEMPTS = 3;

    public static final String STEP_TARGET = "target";
    public static final String STEP_SNAPSHOT = "snapshot";
    public static final String STEP_RESTORE = "restore";
    public static final String STEP_COUNTS = "row-counts";

    private MigrationPlanner() {
    }

    public enum Phase {
        TARGET, SNAPSHOT, RESTORING, COUNTING, SUCCEEDED, FAILED;

        public boolean terminal() {
            return this == SUCCEEDED || this == FAILED;
        }
    }

    /** What the adapters do for a decision, in this order. */
    public enum Action {
        CREATE_NAMESPACE, CREATE_WORKGROUP, CREATE_SNAPSHOT, RESTORE, SUBMIT_COUNTS, REPORT
    }

    /** What is migrated where: the configuration of a run. */
    public record Target(String sourceCluster, String namespace, String workgroup, boolean createTarget, List<String> tables) {
        public Target {
            require("shiftwork.migration.source-cluster", sourceCluster);
            require("shiftwork.migration.namespace", namespace);
            require("shiftwork.migration.workgroup", workgroup);
            if (tables == null || tables.isEmpty()) {
                throw new IllegalArgumentException("shiftwork.migration.tables names no table to compare");
            }
            tables = checked(tables);
        }

        private static void require(String key, String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(key + " is not set");
            }
        }
    }

    /**
     * The run's migration, as recorded.
     *
     * @param snapshot the snapshot restored: the configured one, or the one the run takes (named at its start)
     * @param takeSnapshot whether the run creates {@code snapshot} (false: a configured snapshot)
     * @param deadline when the run gives up
     */
    public record State(Phase phase, String snapshot, boolean takeSnapshot, Instant deadline, Instant namespaceAvailableAt,
            Instant firstQueryAnsweredAt, String sourceStatement, String targetStatement, int countAttempts,
            Map<String, Long> sourceCounts, Map<String, Long> targetCounts, String error) {

        public static State start(String snapshot, boolean takeSnapshot, Instant deadline) {
            return new State(Phase.TARGET, snapshot, takeSnapshot, deadline, null, null, null, null, 0, null, null, null);
        }

        State phase(Phase p) {
            return new State(p, snapshot, takeSnapshot, deadline, namespaceAvailableAt, firstQueryAnsweredAt,
                    sourceStatement, targetStatement, countAttempts, sourceCounts, targetCounts, error);
        }

        State failed(String why) {
            return new State(Phase.FAILED, snapshot, takeSnapshot, deadline, namespaceAvailableAt, firstQueryAnsweredAt,
                    sourceStatement, targetStatement, countAttempts, sourceCounts, targetCounts, why);
        }

        State available(Instant at) {
            return new State(phase, snapshot, takeSnapshot, deadline, at, firstQueryAnsweredAt, sourceStatement,
                    targetStatement, countAttempts, sourceCounts, targetCounts, error);
        }

        State answered(Instant at) {
            return new State(phase, snapshot, takeSnapshot, deadline, namespaceAvailableAt, at, sourceStatement,
                    targetStatement, countAttempts, sourceCounts, targetCounts, error);
        }

        /** The count statements just submitted. */
        public State submitted(String source, String target) {
            return new State(phase, snapshot, takeSnapshot, deadline, namespaceAvailableAt, firstQueryAnsweredAt, source,
                    target, countAttempts + 1, null, null, error);
        }

        State counted(Map<String, Long> source, Map<String, Long> target) {
            return new State(phase, snapshot, takeSnapshot, deadline, namespaceAvailableAt, firstQueryAnsweredAt,
                    sourceStatement, targetStatement, countAttempts, source, target, error);
        }
    }

    /** A count statement as the Data API describes it; {@code status} null: the Data API knows no such statement. */
    public record Count(String status, Instant answeredAt, Map<String, Long> counts, String error) {
        public static final Count UNKNOWN = new Count(null, null, null, null);

        boolean finished() {
            return "FINISHED".equals(status);
        }

        boolean failed() {
            return "FAILED".equals(status) || "ABORTED".equals(status);
        }
    }

    /**
     * What AWS says now; a status is null when the resource does not exist.
     *
     * @param workgroupNamespace the namespace the workgroup belongs to
     * @param snapshotStatus the provisioned snapshot's status (creating, available, ...)
     */
    public record Observed(Instant now, String sourceStatus, String namespaceStatus, String workgroupStatus,
            String workgroupNamespace, String snapshotStatus, Count source, Count target) {
    }

    /** A change to a run step: BEGIN, SUCCEED (with output) or FAIL (with error). */
    public record StepChange(String step, Kind kind, Map<String, Object> output, String error) {
        public enum Kind {
            BEGIN, SUCCEED, FAIL
        }

        static StepChange begin(String step) {
            return new StepChange(step, Kind.BEGIN, null, null);
        }

        static StepChange succeed(String step, Map<String, Object> output) {
            return new StepChange(step, Kind.SUCCEED, output, null);
        }

        static StepChange fail(String step, String error) {
            return new StepChange(step, Kind.FAIL, null, error);
        }
    }

    public record Decision(State state, List<Action> actions, List<StepChange> steps) {
    }

    /** The step a phase works in. */
    static String step(Phase phase) {
        return switch (phase) {
            case TARGET -> STEP_TARGET;
            case SNAPSHOT -> STEP_SNAPSHOT;
            case RESTORING -> STEP_RESTORE;
            case COUNTING, SUCCEEDED, FAILED -> STEP_COUNTS;
        };
    }

    /** The first decision of a run: its first step begins. */
    public static Decision begin(State start) {
        return new Decision(start, List.of(), List.of(StepChange.begin(step(start.phase()))));
    }

    public static Decision next(Target t, State s, Observed o) {
        List<Action> actions = new ArrayList<>();
        List<StepChange> steps = new ArrayList<>();
        State state = s;
        // a transition that needs no action is followed at once by the next phase's, on the same observation
        for (int hops = 0; hops < 4; hops++) {
            Phase before = state.phase();
            state = hop(t, state, o, actions, steps);
            if (state.phase() == before || !actions.isEmpty() || state.phase().terminal()) {
                break;
            }
        }
        return new Decision(state, List.copyOf(actions), List.copyOf(steps));
    }

    private static State hop(Target t, State s, Observed o, List<Action> actions, List<StepChange> steps) {
        if (s.phase().terminal()) {
            return s;
        }
        if (s.deadline() != null && o.now().isAfter(s.deadline())) {
            return fail(s, "not done by " + s.deadline() + " (shiftwork.migration.timeout), while in phase " + s.phase(),
                    actions, steps);
        }
        return switch (s.phase()) {
            case TARGET -> target(t, s, o, actions, steps);
            case SNAPSHOT -> snapshot(t, s, o, actions, steps);
            case RESTORING -> restoring(t, s, o, actions, steps);
            case COUNTING -> counting(t, s, o, actions, steps);
            default -> s;
        };
    }

    private static State target(Target t, State s, Observed o, List<Action> actions, List<StepChange> steps) {
        if (o.sourceStatus() == null) {
            return fail(s, "source cluster " + t.sourceCluster() + " does not exist", actions, steps);
        }
        List<String> missing = new ArrayList<>();
        if (o.namespaceStatus() == null) {
            missing.add("namespace " + t.namespace());
        }
        if (o.workgroupStatus() == null) {
            missing.add("workgroup " + t.workgroup());
        }
        if (!missing.isEmpty()) {
            if (!t.createTarget()) {
                return fail(s, "Redshift Serverless restores only into an existing namespace with a workgroup: "
                        + String.join(" and ", missing) + (missing.size() > 1 ? " do" : " does") + " not exist. Create "
                        + (missing.size() > 1 ? "them" : "it") + " or set shiftwork.migration.create-target=true; no snapshot was taken",
                        actions, steps);
            }
            if (o.namespaceStatus() == null) {
                actions.add(Action.CREATE_NAMESPACE);
            }
            if (o.workgroupStatus() == null) {
                actions.add(Action.CREATE_WORKGROUP);
            }
            return s;
        }
        if (!t.namespace().equals(o.workgroupNamespace())) {
            return fail(s, "workgroup " + t.workgroup() + " belongs to namespace " + o.workgroupNamespace() + ", not "
                    + t.namespace(), actions, steps);
        }
        if ("paused".equals(o.sourceStatus())) {
            return fail(s, "source cluster " + t.sourceCluster() + " is paused: resume it first", actions, steps);
        }
        if (!"available".equals(o.sourceStatus()) || !"AVAILABLE".equals(o.namespaceStatus())
                || !"AVAILABLE".equals(o.workgroupStatus())) {
            return s; // creating, modifying, resuming: next time
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sourceCluster", t.sourceCluster());
        out.put("namespace", t.namespace());
        out.put("workgroup", t.workgroup());
        steps.add(StepChange.succeed(STEP_TARGET, out));
        steps.add(StepChange.begin(STEP_SNAPSHOT));
        return s.phase(Phase.SNAPSHOT);
    }

    private static State snapshot(Target t, State s, Observed o, List<Action> actions, List<StepChange> steps) {
        String status = o.snapshotStatus();
        if (status == null) {
            if (!s.takeSnapshot()) {
                return fail(s, "snapshot " + s.snapshot() + " of cluster " + t.sourceCluster() + " does not exist "
                        + "(shiftwork.migration.snapshot)", actions, steps);
            }
            actions.add(Action.CREATE_SNAPSHOT);
            return s;
        }
        return switch (status) {
            case "creating" -> s;
            case "available" -> {
                actions.add(Action.RESTORE);
                steps.add(StepChange.succeed(STEP_SNAPSHOT, new java.util.TreeMap<>(Map.of("snapshot", s.snapshot(), "created", s.takeSnapshot()))));
                steps.add(StepChange.begin(STEP_RESTORE));
                yield s.phase(Phase.RESTORING);
            }
            default -> fail(s, "snapshot " + s.snapshot() + " is " + status, actions, steps);
        };
    }

    private static State restoring(Target t, State s, Observed o, List<Action> actions, List<StepChange> steps) {
        if (o.namespaceStatus() == null || o.workgroupStatus() == null) {
            return fail(s, "namespace " + t.namespace() + " or workgroup " + t.workgroup() + " is gone during the restore",
                    actions, steps);
        }
        if (!"AVAILABLE".equals(o.namespaceStatus())) {
            return s;
        }
        State available = s.available(o.now());
        steps.add(StepChange.succeed(STEP_RESTORE, new java.util.TreeMap<>(Map.of("namespace", t.namespace(), "snapshot", s.snapshot(),
                "namespaceAvailableAt", o.now().toString()))));
        steps.add(StepChange.begin(STEP_COUNTS));
        actions.add(Action.SUBMIT_COUNTS);
        return available.phase(Phase.COUNTING);
    }

    private static State counting(Target t, State s, Observed o, List<Action> actions, List<StepChange> steps) {
        Count src = o.source() == null ? Count.UNKNOWN : o.source();
        Count tgt = o.target() == null ? Count.UNKNOWN : o.target();
        State now = s;
        if (tgt.finished() && now.firstQueryAnsweredAt() == null) {
            now = now.answered(tgt.answeredAt() != null ? tgt.answeredAt() : o.now());
        }
        if (src.failed() || tgt.failed() || s.sourceStatement() == null || src.status() == null || tgt.status() == null) {
            if (now.countAttempts() >= MAX_COUNT_ATTEMPTS) {
                String why = src.failed() ? "on " + t.sourceCluster() + ": " + src.error()
                        : tgt.failed() ? "on " + t.workgroup() + ": " + tgt.error() : "the statements are gone";
                return fail(now, "row counts failed " + now.countAttempts() + " times; last " + why, actions, steps);
            }
            actions.add(Action.SUBMIT_COUNTS); // not submitted yet, gone (a restart a day later), or failed: again
            return now;
        }
        if (!src.finished() || !tgt.finished()) {
            return now;
        }
        now = now.counted(src.counts(), tgt.counts());
        List<String> differ = new ArrayList<>();
        Map<String, Object> tables = new LinkedHashMap<>();
        for (String table : t.tables()) {
            Long a = src.counts().get(table);
            Long b = tgt.counts().get(table);
            Map<String, Object> counts = new LinkedHashMap<>(); // source first, in every JVM (Map.of's order is not)
            counts.put("source", a == null ? -1 : a);
            counts.put("target", b == null ? -1 : b);
            tables.put(table, counts);
            if (a == null || !a.equals(b)) {
                differ.add(table + " " + a + " on " + t.sourceCluster() + ", " + b + " on " + t.workgroup());
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tables", tables);
        out.put("firstQueryAnsweredAt", String.valueOf(now.firstQueryAnsweredAt()));
        actions.add(Action.REPORT);
        if (!differ.isEmpty()) {
            String why = "row counts differ: " + String.join("; ", differ);
            steps.add(new StepChange(STEP_COUNTS, StepChange.Kind.FAIL, out, why));
            return now.failed(why);
        }
        steps.add(StepChange.succeed(STEP_COUNTS, out));
        return now.phase(Phase.SUCCEEDED);
    }

    private static State fail(State s, String why, List<Action> actions, List<StepChange> steps) {
        steps.add(StepChange.fail(step(s.phase()), why));
        actions.add(Action.REPORT);
        return s.failed(why);
    }

    /** The provisioned snapshot's ARN, the form RestoreFromSnapshot takes it in. */
    public static String snapshotArn(String region, String account, String cluster, String snapshot) {
        return "arn:aws:redshift:" + region + ":" + account + ":snapshot:" + cluster + "/" + snapshot;
    }

    /**
     * {@code shiftwork.migration.tables} as the flow uses it: each entry trimmed and lower-cased (Redshift folds
     * unquoted names), then checked to be {@code schema.table} of plain identifiers, at most {@link #MAX_TABLES},
     * none twice. Checked at start-up and again for each run; the error names the key and the entry.
     */
    public static List<String> tables(List<String> configured) {
        if (configured == null) {
            return List.of();
        }
        List<String> normalised = new java.util.ArrayList<>();
        for (String entry : configured) {
            String t = entry == null ? "" : entry.trim().toLowerCase(java.util.Locale.ROOT);
            if (!TABLE.matcher(t).matches()) {
                throw notATable(entry); // named as the operator wrote it
            }
            normalised.add(t);
        }
        return checked(normalised);
    }

    private static IllegalArgumentException notATable(String entry) {
        return new IllegalArgumentException("shiftwork.migration.tables: '" + entry + "' is not schema.table in Redshift "
                + "identifiers (letters, digits, '_' or '$', starting with a letter or '_'; unquoted)");
    }

    /** The tables as given (already normalised), checked: {@code schema.table} in lower case, at most 100, none twice. */
    static List<String> checked(List<String> tables) {
        if (tables.size() > MAX_TABLES) {
            throw new IllegalArgumentException("shiftwork.migration.tables: at most " + MAX_TABLES
                    + " tables per migration, got " + tables.size());
        }
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        for (String t : tables) {
            if (t == null || !TABLE.matcher(t).matches()) {
                throw notATable(t);
            }
            if (!out.add(t)) {
                throw new IllegalArgumentException("shiftwork.migration.tables: '" + t + "' is listed twice");
            }
        }
        return List.copyOf(out);
    }

    /** One statement counting every table, row i of the result holding table i (identifiers validated by Target). */
    public static String countSql(List<String> tables) {
        StringBuilder sql = new StringBuilder();
        for (int i = 0; i < tables.size(); i++) {
            if (i > 0) {
                sql.append(" UNION ALL ");
            }
            sql.append("SELECT ").append(i + 1).append(" AS n, count(*) AS row_count FROM ").append(tables.get(i));
        }
        return sql.append(" ORDER BY 1").toString();
    }
}
