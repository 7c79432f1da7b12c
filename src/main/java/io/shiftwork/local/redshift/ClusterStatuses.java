package io.shiftwork.local.redshift;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.redshift.RedshiftClient;
import software.amazon.awssdk.services.redshift.model.ClusterNotFoundException;

/**
 * The provisioned clusters' statuses as moto holds them (DescribeClusters), so the Data API runs a statement only on
 * a cluster that exists and is {@code available}. A stable status ({@code available}, {@code paused}) may be cached
 * until moto reports a change of that cluster ({@code POST /_emulator/cluster-changed}); a transitional one never is.
 * Caching is on once moto has reported anything (a moto without the reporting extension would leave a cache stale),
 * or when switched on with the {@code clusterStatusCache} setting.
 */
final class ClusterStatuses implements AutoCloseable {

    private static final Set<String> STABLE = Set.of("available", "paused");

    private final RedshiftClient moto;
    private final Map<String, String> cached = new ConcurrentHashMap<>();
    /** Each cluster's DBName (the database it was created with), as moto last answered. */
    private final Map<String, String> dbNames = new ConcurrentHashMap<>();
    private final AtomicLong changes = new AtomicLong();
    private volatile boolean reported;
    private volatile Boolean forced;

    ClusterStatuses(URI motoEndpoint, String region) {
        this.moto = RedshiftClient.builder().endpointOverride(motoEndpoint).region(Region.of(region))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    /** The cluster's status in moto, empty when moto does not know it. */
    Optional<String> status(String cluster) {
        boolean caching = caching();
        if (caching) {
            String hit = cached.get(cluster);
            if (hit != null) {
                return Optional.of(hit);
            }
        }
        long before = changes.get();
        String status;
        try {
            var found = moto.describeClusters(b -> b.clusterIdentifier(cluster)).clusters().get(0);
            status = found.clusterStatus();
            dbNames.put(cluster, found.dbName() == null ? "dev" : found.dbName());
        } catch (ClusterNotFoundException e) {
            dbNames.remove(cluster);
            return Optional.empty();
        }
        // a change reported while we asked may be newer than the answer: do not cache it then
        if (caching && STABLE.contains(status) && changes.get() == before) {
            cached.put(cluster, status);
        }
        return Optional.of(status);
    }

    /** The database the cluster was created with (DBName, default {@code dev}); empty when moto does not know it. */
    Optional<String> dbName(String cluster) {
        String name = dbNames.get(cluster);
        if (name != null && caching() && cached.containsKey(cluster)) {
            return Optional.of(name);
        }
        return status(cluster).map(s -> dbNames.get(cluster));
    }

    /** A provisioned snapshot's status in moto (creating, available, ...), empty when moto does not know it. */
    Optional<String> snapshotStatus(String snapshot) {
        try {
            var found = moto.describeClusterSnapshots(b -> b.snapshotIdentifier(snapshot)).snapshots();
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0).status());
        } catch (software.amazon.awssdk.services.redshift.model.ClusterSnapshotNotFoundException e) {
            return Optional.empty();
        }
    }

    /** moto reports that a cluster changed (created, paused, resumed, deleted, restored…). */
    void changed(String cluster) {
        reported = true;
        changes.incrementAndGet();
        cached.remove(cluster);
        dbNames.remove(cluster);
    }

    /** null: automatic (on once moto has reported a change); true/false: forced. */
    void caching(Boolean on) {
        forced = on;
        cached.clear();
    }

    private boolean caching() {
        Boolean f = forced;
        return f != null ? f : reported;
    }

    void reset() {
        changes.incrementAndGet();
        cached.clear();
        dbNames.clear();
        forced = null;
    }

    int cachedCount() {
        return cached.size();
    }

    @Override
    public void close() {
        moto.close();
    }
}
