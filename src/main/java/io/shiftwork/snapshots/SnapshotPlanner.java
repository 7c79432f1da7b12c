package io.shiftwork.snapshots;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Decides, for one schedule and the snapshots that exist, what to create and what to delete. Pure: no AWS
 * types, no I/O. It trusts nothing a server-side filter did: every snapshot is checked here for its target,
 * its type and its tags before it may be deleted.
 */
@ApplicationScoped
@Named("snapshotPlanner")
@RegisterForReflection
public class SnapshotPlanner {

    public static final String CREATED_BY = "createdBy";
    public static final String CREATED_BY_VALUE = "Shiftwork Snapshot Manager";
    public static final String SCHEDULE_NAMESPACE = "scheduleNamespace";
    public static final String CREATION_TIMESTAMP = "creationTimestamp";

    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd't'HHmmss").withZone(ZoneOffset.UTC);

    /** What to do: create (a copy of an automated snapshot, or a manual one) and delete. */
    public record Plan(Optional<Create> create, List<String> delete, String reason) {
    }

    /** {@code sourceAutomated} set: copy that automated snapshot; empty: take a manual snapshot. */
    public record Create(String identifier, Optional<String> sourceAutomated, Map<String, String> tags) {
    }

    public Plan plan(Schedule schedule, Instant now, List<SnapshotInfo> snapshots) {
        return plan(schedule, now, snapshots, true);
    }

    /** @param copyAutomated false: always take a manual snapshot, never copy an automated one */
    public Plan plan(Schedule schedule, Instant now, List<SnapshotInfo> snapshots, boolean copyAutomated) {
        List<SnapshotInfo> ofTarget = snapshots.stream().filter(s -> schedule.target().equals(s.target())).toList();
        Instant freshAfter = now.minus(schedule.interval());
        Optional<SnapshotInfo> fresh = ofTarget.stream().filter(s -> managedBy(schedule, s))
                .filter(s -> s.createdAt().isAfter(freshAfter)).max(Comparator.comparing(SnapshotInfo::createdAt));
        Optional<Create> create = Optional.empty();
        String reason;
        if (fresh.isPresent()) {
            reason = "fresh: " + fresh.get().identifier() + " was taken " + fresh.get().createdAt();
        } else {
            Optional<SnapshotInfo> automated = ofTarget.stream().filter(s -> copyAutomated && !s.manual() && s.available())
                    .filter(s -> s.createdAt().isAfter(freshAfter)).max(Comparator.comparing(SnapshotInfo::createdAt));
            create = Optional.of(new Create(identifier(schedule, now), automated.map(SnapshotInfo::identifier),
                    Map.of(CREATED_BY, CREATED_BY_VALUE, SCHEDULE_NAMESPACE, schedule.namespace(),
                            CREATION_TIMESTAMP, ISO.format(now))));
            reason = automated.map(a -> "due: copying automated snapshot " + a.identifier())
                    .orElse("due: no snapshot within " + schedule.interval() + ", taking a manual one");
        }
        List<String> delete = schedule.retention().map(retention -> ofTarget.stream()
                .filter(s -> deletable(schedule, s, now.minus(retention)))
                .map(SnapshotInfo::identifier).sorted().toList()).orElse(List.of());
        return new Plan(create, delete, reason);
    }

    /** A snapshot to take before a pause: the schedule's recovery point would lapse at {@code lapsesAt}, paused. */
    public record BeforePause(Create create, Instant lapsesAt) {
    }

    /**
     * Before the cluster is paused until {@code resumeAt}: a manual snapshot now when the schedule's newest would be
     * older than its interval (its RPO) before the resume — AWS takes no snapshot of a paused cluster, and the data a
     * paused cluster holds does not change, so the one taken now covers the whole pause. Empty when none is due.
     */
    public Optional<BeforePause> beforePause(Schedule schedule, Instant now, Instant resumeAt, List<SnapshotInfo> snapshots) {
        Instant lapsesAt = snapshots.stream().filter(s -> schedule.target().equals(s.target()) && managedBy(schedule, s))
                .map(SnapshotInfo::createdAt).max(Comparator.naturalOrder()).map(t -> t.plus(schedule.interval())).orElse(now);
        if (!lapsesAt.isBefore(resumeAt)) {
            return Optional.empty();
        }
        return Optional.of(new BeforePause(new Create(identifier(schedule, now), Optional.empty(), Map.of(CREATED_BY,
                CREATED_BY_VALUE, SCHEDULE_NAMESPACE, schedule.namespace(), CREATION_TIMESTAMP, ISO.format(now))), lapsesAt));
    }

    private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_INSTANT;

    /** Created by Shiftwork for this schedule. */
    static boolean managedBy(Schedule schedule, SnapshotInfo s) {
        return CREATED_BY_VALUE.equals(s.tags().get(CREATED_BY))
                && schedule.namespace().equals(s.tags().get(SCHEDULE_NAMESPACE));
    }

    /** The only snapshots retention may delete: manual, this target's, this schedule's, older than retention. */
    static boolean deletable(Schedule schedule, SnapshotInfo s, Instant olderThan) {
        return s.manual() && schedule.target().equals(s.target()) && managedBy(schedule, s) && s.available()
                && s.createdAt().isBefore(olderThan);
    }

    /** {@code <namespace>-<cluster>-<yyyy>-<mm>-<dd>t<hh><mi><ss>}, lower case, within Redshift's identifier rules. */
    public static String identifier(Schedule schedule, Instant at) {
        String id = (schedule.namespace() + "-" + schedule.target() + "-" + ID_TIME.format(at)).toLowerCase();
        id = id.replaceAll("[^a-z0-9-]", "-").replaceAll("-{2,}", "-");
        if (id.length() > 255) {
            id = id.substring(id.length() - 255);
        }
        return id;
    }
}
