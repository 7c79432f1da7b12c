package io.shiftwork.etl;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The ETL → UNLOAD → notify chain ({@code routes/etl-unload-notify.camel.yaml}). */
@ConfigMapping(prefix = "shiftwork.etl")
public interface EtlConfig {

    /** Bucket the analysis is unloaded to (a run may name another). */
    Optional<String> bucket();

    /** Where execute_elt_process() COPYs the trips from, {@code s3://bucket/prefix/} (a run may name another). */
    Optional<String> source();

    /** Key prefix under the bucket; each run unloads to {@code <prefix>/<run-id>/}. */
    @WithDefault("nyc-taxi/volume-analysis")
    String prefix();

    /** UNLOAD format: CSV, JSON or PARQUET (a run may name another). */
    @WithDefault("CSV")
    UnloadFormat format();

    /** CSV only: write a header line. */
    @WithDefault("true")
    boolean unloadHeader();

    /** More UNLOAD options, as Redshift spells them (MAXFILESIZE 100 MB, ENCRYPTED, ...). */
    @WithDefault("PARALLEL OFF")
    String unloadOptions();

    /** IAM role Redshift uses for COPY and UNLOAD: {@code default} (the cluster's default role) or an ARN. */
    @WithDefault("default")
    String iamRole();

    /** SNS topic (name) told about every run of the chain, success or failure. */
    @WithDefault("shiftwork-etl-notifications")
    String topic();

    /** Quartz cron expression, UTC. The original ran weekdays at 11:00 UTC. */
    @WithDefault("0 0 11 ? * MON-FRI")
    String schedule();

    @WithDefault("true")
    boolean scheduled();

    /** Local runs: create the bucket and put the generated NYC-taxi sample at {@code source} at bootstrap. */
    @WithDefault("false")
    boolean sampleData();

    /**
     * S3 sources a run may name, as globs ({@code *}: any characters), e.g. {@code s3://raw-bucket/nyc/*}.
     * Unset: only the configured source.
     */
    Optional<List<String>> allowedSources();

    /** Buckets a run may unload to (globs). Unset: only the configured bucket. */
    Optional<List<String>> allowedBuckets();

    /** Key prefixes a run may unload under (globs). Unset: only the configured prefix. */
    Optional<List<String>> allowedPrefixes();

    /** IAM roles a run may name (globs). Unset: only the configured role. */
    Optional<List<String>> allowedIamRoles();

    enum UnloadFormat {
        CSV, JSON, PARQUET
    }
}
