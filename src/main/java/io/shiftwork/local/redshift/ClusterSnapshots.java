package io.shiftwork.local.redshift;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The data behind moto's provisioned snapshots: moto reports a snapshot taken, copied, deleted or restored (the
 * {@code /_emulator/cluster-snapshot} … hooks) and this keeps a PostgreSQL copy of each of the cluster's Redshift
 * databases under the snapshot's key, so a restore (into a cluster or a Serverless namespace) holds the data as it
 * was when the snapshot was taken.
 */
final class ClusterSnapshots {

    private final LocalPostgres pg;
    private final Map<String, Set<String>> clusterDatabases = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> snapshotDatabases = new ConcurrentHashMap<>();
    /** The cluster each snapshot was taken of (a copy: its source's), as its ARN names it. */
    private final Map<String, String> snapshotClusters = new ConcurrentHashMap<>();

    ClusterSnapshots(LocalPostgres pg) {
        this.pg = pg;
    }

    static String clusterKey(String cluster, String database) {
        return "cluster/" + cluster + "/" + database;
    }

    static String snapshotKey(String snapshot, String database) {
        return "cluster-snapshot/" + snapshot + "/" + database;
    }

    /** A statement ran on this Redshift database of the cluster. */
    void used(String cluster, String database) {
        Set<String> dbs = clusterDatabases.get(cluster);
        if (dbs == null || !dbs.contains(database)) {
            clusterDatabases.computeIfAbsent(cluster, c -> ConcurrentHashMap.newKeySet()).add(database);
        }
    }

    /** Whether the cluster has this database (one a statement used or created, or restored). */
    boolean has(String cluster, String database) {
        Set<String> dbs = clusterDatabases.get(cluster);
        return dbs != null && dbs.contains(database);
    }

    /** The database was dropped. */
    void forget(String cluster, String database) {
        Set<String> dbs = clusterDatabases.get(cluster);
        if (dbs != null) {
            dbs.remove(database);
        }
    }

    synchronized List<String> snapshot(String cluster, String snapshot) {
        Set<String> dbs = new TreeSet<>(clusterDatabases.getOrDefault(cluster, Set.of()));
        delete(snapshot);
        for (String db : dbs) {
            pg.copy(name(clusterKey(cluster, db)), name(snapshotKey(snapshot, db)));
        }
        snapshotDatabases.put(snapshot, dbs);
        snapshotClusters.put(snapshot, cluster);
        return List.copyOf(dbs);
    }

    synchronized List<String> copy(String source, String target) {
        Set<String> dbs = databases(source);
        delete(target);
        for (String db : dbs) {
            pg.copy(name(snapshotKey(source, db)), name(snapshotKey(target, db)));
        }
        snapshotDatabases.put(target, new TreeSet<>(dbs));
        String cluster = snapshotClusters.get(source);
        if (cluster != null) {
            snapshotClusters.put(target, cluster);
        }
        return List.copyOf(dbs);
    }

    synchronized List<String> delete(String snapshot) {
        Set<String> dbs = snapshotDatabases.remove(snapshot);
        snapshotClusters.remove(snapshot);
        if (dbs == null) {
            return List.of();
        }
        dbs.forEach(db -> pg.drop(name(snapshotKey(snapshot, db))));
        return List.copyOf(dbs);
    }

    /** Cluster {@code cluster} is being deleted: its databases go with it (a new cluster of that name starts empty). */
    synchronized List<String> dropCluster(String cluster) {
        Set<String> old = clusterDatabases.remove(cluster);
        if (old == null) {
            return List.of();
        }
        old.forEach(db -> pg.drop(name(clusterKey(cluster, db))));
        return List.copyOf(old);
    }

    /** Cluster {@code cluster} restored from {@code snapshot}: its databases become copies of the snapshot's. */
    synchronized List<String> restore(String snapshot, String cluster) {
        Set<String> dbs = databases(snapshot);
        Set<String> old = clusterDatabases.remove(cluster);
        if (old != null) {
            old.forEach(db -> pg.drop(name(clusterKey(cluster, db))));
        }
        for (String db : dbs) {
            pg.copy(name(snapshotKey(snapshot, db)), name(clusterKey(cluster, db)));
        }
        Set<String> now = ConcurrentHashMap.newKeySet();
        now.addAll(dbs);
        clusterDatabases.put(cluster, now);
        return List.copyOf(dbs);
    }

    /** Copies the snapshot's databases to the keys {@code target} names (a Serverless namespace's). */
    synchronized List<String> restoreInto(String snapshot, Function<String, String> target) {
        Set<String> dbs = databases(snapshot);
        for (String db : dbs) {
            pg.copy(name(snapshotKey(snapshot, db)), name(target.apply(db)));
        }
        return List.copyOf(dbs);
    }

    boolean known(String snapshot) {
        return snapshotDatabases.containsKey(snapshot);
    }

    /** The cluster the snapshot was taken of, empty when no data is linked to it. */
    Optional<String> clusterOf(String snapshot) {
        return Optional.ofNullable(snapshotClusters.get(snapshot));
    }

    /**
     * The parts of a provisioned snapshot ARN, {@code arn:aws:redshift:<region>:<account>:snapshot:<cluster>/<snapshot>}:
     * region, account, cluster, snapshot; empty when it is not one.
     */
    static Optional<String[]> parseArn(String arn) {
        if (arn == null) {
            return Optional.empty();
        }
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("arn:aws:redshift:([a-z0-9-]+):([0-9]{12}):snapshot:([A-Za-z0-9-]+)/((?:rs:)?[A-Za-z0-9_-]+)").matcher(arn);
        return m.matches() ? Optional.of(new String[] { m.group(1), m.group(2), m.group(3), m.group(4) }) : Optional.empty();
    }

    /** The snapshot identifier in a provisioned snapshot ARN ({@code arn:aws:redshift:r:a:snapshot:cluster/snap}). */
    static Optional<String> fromArn(String arn) {
        if (arn == null || !arn.startsWith("arn:aws:redshift:") || !arn.contains(":snapshot:")) {
            return Optional.empty();
        }
        String rest = arn.substring(arn.indexOf(":snapshot:") + ":snapshot:".length());
        int slash = rest.indexOf('/');
        return slash > 0 && slash < rest.length() - 1 ? Optional.of(rest.substring(slash + 1)) : Optional.empty();
    }

    private Set<String> databases(String snapshot) {
        Set<String> dbs = snapshotDatabases.get(snapshot);
        if (dbs == null) {
            throw new AwsError(404, "NotFound", "no data is linked to snapshot " + snapshot
                    + ": the local Redshift was not told it was taken (POST /_emulator/cluster-snapshot)");
        }
        return dbs;
    }

    void reset() {
        clusterDatabases.clear();
        snapshotDatabases.clear();
        snapshotClusters.clear();
    }

    Map<String, Object> stats() {
        return Map.of("clusterSnapshots", snapshotDatabases.size());
    }

    private static String name(String key) {
        return LocalPostgres.databaseName(key);
    }
}
