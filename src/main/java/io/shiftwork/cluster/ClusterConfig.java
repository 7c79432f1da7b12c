package io.shiftwork.cluster;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Leadership among replicas ({@code master:} routes): one DynamoDB lease per namespace. */
@ConfigMapping(prefix = "shiftwork.cluster")
public interface ClusterConfig {

    /** The {@code master:} namespace of the planner, executor, snapshot and drill ticks; its lease key is cluster/&lt;namespace&gt;. */
    @WithDefault("shiftwork")
    String namespace();

    /** How long a lease lasts without renewal: a stalled leader stops acting this long after its last renewal. */
    @WithDefault("PT30S")
    Duration leaseDuration();

    /** How often the leader renews its lease and the others look for an expired one; less than half the duration. */
    @WithDefault("PT10S")
    Duration renewInterval();

    /** This replica's name in the lease (default: host name, process id and a random suffix). */
    Optional<String> memberId();
}
