package io.shiftwork.pool;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The health-aware consumer pool (routes/consumer-pool.camel.yaml; README "Consumer pool"). */
@ConfigMapping(prefix = "shiftwork.pool")
public interface PoolConfig {

    /** The consumers' Serverless workgroups; unset: no pool. */
    Optional<List<String>> consumers();

    /** The NLB target group holding the healthy consumers' endpoints: a name or an ARN. */
    Optional<String> targetGroup();

    /** Where a missing target group is created with {@code shiftwork.bootstrap=true}; default: the consumers' VPC. */
    Optional<String> vpcId();

    /** How often the leader checks every consumer (a Camel timer period: {@code 30s}). */
    @WithDefault("30s")
    String interval();

    @WithDefault("10s")
    String firstCheckDelay();

    /** Consecutive failed checks before a consumer is deregistered. */
    @WithDefault("1")
    int unhealthyThreshold();

    /** Consecutive passed checks before an unhealthy consumer is registered again. */
    @WithDefault("2")
    int healthyThreshold();

    /** A check's {@code SELECT 1} that has not finished by then is cancelled and counts as failed. */
    @WithDefault("PT5S")
    Duration queryTimeout();

    /**
     * The check's query: one SELECT (or WITH) statement that must finish within query-timeout. {@code SELECT 1} proves
     * the consumer answers SQL; a query reading a table of the datashare database (e.g.
     * {@code SELECT 1 FROM shared.public.orders LIMIT 1}) also proves it may still read the shared data.
     */
    @WithDefault("SELECT 1")
    String checkSql();

    /** The database the check's query runs in. */
    @WithDefault("dev")
    String database();

    /** Whether this instance runs the checks on its timer (on the leader only). */
    @WithDefault("true")
    boolean scheduled();
}
