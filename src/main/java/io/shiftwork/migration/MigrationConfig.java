package io.shiftwork.migration;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The migration flow (routes/migration.camel.yaml): which provisioned cluster moves into which Serverless namespace. */
@ConfigMapping(prefix = "shiftwork.migration")
public interface MigrationConfig {

    /** The provisioned cluster migrated. */
    Optional<String> sourceCluster();

    /** A manual snapshot of the source cluster to restore; unset: each run takes a new one. */
    Optional<String> snapshot();

    /** The Serverless namespace restored into (RestoreFromSnapshot overwrites it). */
    Optional<String> namespace();

    /** The namespace's workgroup, which the restore and the target's row counts use. */
    Optional<String> workgroup();

    /**
     * Create the namespace and the workgroup when missing; false: a run whose namespace or workgroup is missing
     * fails before it takes a snapshot, naming what is missing.
     */
    @WithDefault("false")
    boolean createTarget();

    /** Tables ({@code schema.table}) whose row counts are compared on both sides after the restore. */
    Optional<List<String>> tables();

    /** The database the row counts run in, on both sides (a restore keeps the cluster's database names). */
    @WithDefault("dev")
    String database();

    /** Temporary-credentials user for the source cluster's row counts (or {@link #secretArn()}). */
    Optional<String> dbUser();

    /** Secrets Manager secret for the source cluster's row counts. */
    Optional<String> secretArn();

    /** The account owning the snapshot, in its ARN; unset: the target namespace's account. */
    Optional<String> ownerAccount();

    /** SNS topic (name) the migration report goes to. */
    String topic();

    /** How often each unfinished migration is moved on (the master's timer); also how late a restart resumes it. */
    @WithDefault("10s")
    Duration poll();

    /** Whether the timer runs (off in tests that do not migrate): without it a migration stops after its first step. */
    @WithDefault("true")
    boolean scheduled();

    /** A migration not done within this (from its start) fails, whatever phase it is in. */
    @WithDefault("PT6H")
    Duration timeout();
}
