package io.shiftwork.pauseresume;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "shiftwork.pause-resume")
public interface PauseResumeConfig {

    /** Clusters managed, by identifier: {@code shiftwork.pause-resume.clusters.<id>.enabled=true} plus overrides. */
    Map<String, ClusterConfig> clusters();

    /** CPU percent below which the cluster counts as idle (Azure-style idle sits at 3-6 %, EC2 at 0-3 %). */
    @WithDefault("10")
    double threshold();

    @WithDefault("PT1H")
    Duration minPause();

    /** Resume this long before forecast load returns (a resume takes minutes). */
    @WithDefault("PT15M")
    Duration resumeLead();

    /** Upper quantile of the forecast compared with the threshold. */
    @WithDefault("0.95")
    double quantile();

    /** How much CPU history the first run fetches. */
    @WithDefault("28")
    int backfillDays();

    /** S3 bucket holding the CPU history CSVs (Amazon Forecast's import format). */
    @WithDefault("shiftwork-cpu-history")
    String historyBucket();

    /** At most this many database connections for a pause to go ahead. */
    @WithDefault("0")
    int maxConnections();

    /** Whether the plan is recomputed daily and the executor runs (off in tests, driven over HTTP). */
    @WithDefault("true")
    boolean scheduled();

    /** How often due pauses and resumes are carried out. */
    @WithDefault("60s")
    String executorPeriod();

    /**
     * How long a resume refused (InvalidClusterStateFault: the cluster still pausing, resuming or modifying) or failing
     * is retried, each tick, before the window is FAILED and the support topic alerted; resuming is still retried.
     */
    @WithDefault("PT20M")
    Duration transitionBudget();

    /**
     * Whether a pause may run across the next fire time of the ETL cron ({@code shiftwork.etl.schedule}) on the cluster
     * the ETL uses ({@code shiftwork.statements.cluster-identifier}); false: that cluster's windows end
     * {@code resume-lead} before each fire time.
     */
    @WithDefault("false")
    boolean pauseAcrossEtl();

    /**
     * An open-ended pause ({@code clusters.<id>.open-ended=true}) starts when the cluster has had no busy sample for
     * this long (its workload stopped: the seasonal forecast has nothing left to go on).
     */
    @WithDefault("P7D")
    Duration openEndedAfter();

    /** The longest an open-ended pause lasts before the cluster is resumed (per cluster: {@code max-pause}). */
    @WithDefault("PT72H")
    Duration maxPause();

    /**
     * {@code POST /clusters/{id}/resume} on a cluster still pausing waits this long for the pause to finish, then
     * resumes it; still pausing after it: 409 with the state.
     */
    @WithDefault("PT2M")
    Duration resumeRequestWait();

    /** DynamoDB table of the plans. */
    @WithDefault("shiftwork-pause-plans")
    String table();

    /** How often plans are recomputed (Camel duration). */
    @WithDefault("24h")
    String planPeriod();

    @WithDefault("30s")
    String firstPlanDelay();

    /**
     * Built-in forecaster: the largest share of busy samples a setting may have put inside pauses when replayed
     * over the cluster's last {@code validation-days}; no setting within it → the cluster is not paused.
     */
    @WithDefault("0.01")
    double maxBusyWhilePaused();

    @WithDefault("7")
    int validationDays();

    Tuner tuner();

    /** The built-in forecaster's tuning. */
    interface Tuner {
        /**
         * Pauses into load (a pause during which a sample reached the threshold) a setting may have had per 14 days
         * replayed; more trades incidents for capture. At least 0; a bad value stops start-up, naming the key.
         */
        @WithDefault("1")
        double maxIncidents();
    }

    /** Node type of the managed clusters, for the savings each plan states (per cluster: {@code clusters.<id>.node-type}). */
    @WithDefault("ra3.xlplus")
    String nodeType();

    /** Node count of the managed clusters, for the savings each plan states (per cluster: {@code clusters.<id>.nodes}). */
    @WithDefault("2")
    int nodes();

    /** On-demand price of one node-hour (ra3.xlplus in us-east-1: 1.086), for the savings each plan states. */
    @WithDefault("1.086")
    double nodeHourPrice();

    /** {@code built-in} (the tuned seasonal model, no AWS service) or {@code amazon-forecast}. */
    @WithDefault("built-in")
    String forecaster();

    AmazonForecast amazonForecast();

    /** Amazon Forecast, for accounts that still have it. */
    interface AmazonForecast {
        /** Role Forecast assumes to read the import files in the history bucket (required for this forecaster). */
        Optional<String> roleArn();

        @WithDefault("PT30S")
        Duration pollInitial();

        @WithDefault("PT5M")
        Duration pollMax();

        /** The longest a training or prediction may take before planning gives up for the day. */
        @WithDefault("PT6H")
        Duration timeout();
    }

    interface ClusterConfig {
        @WithDefault("true")
        boolean enabled();

        Optional<Double> threshold();

        Optional<Duration> minPause();

        Optional<Duration> resumeLead();

        /** Time zone (IANA name) of the cluster's daily and weekly cycles: office hours follow daylight saving time. */
        @WithDefault("UTC")
        String zone();

        /** Opt-in: a cluster whose workload stopped is paused with no planned resume, for at most {@code max-pause}. */
        @WithDefault("false")
        boolean openEnded();

        Optional<Duration> maxPause();

        Optional<String> nodeType();

        Optional<Integer> nodes();

        Optional<Double> nodeHourPrice();
    }
}
