package io.shiftwork.statements;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The statement engine: where SQL runs by default, how completions come back, Data API quotas. */
@ConfigMapping(prefix = "shiftwork.statements")
public interface StatementsConfig {

    /** Default provisioned cluster of a statement step (or set {@link #workgroupName()}). */
    Optional<String> clusterIdentifier();

    /** Default serverless workgroup of a statement step. */
    Optional<String> workgroupName();

    @WithDefault("dev")
    String database();

    /** Temporary-credentials user for provisioned clusters (or use {@link #secretArn()}). */
    Optional<String> dbUser();

    /** Secrets Manager secret with the database credentials. */
    Optional<String> secretArn();

    /** Completion events through EventBridge → SQS; off: every statement is polled. */
    @WithDefault("true")
    boolean events();

    /** SQS queue the EventBridge rule feeds. */
    @WithDefault("shiftwork-redshift-data-events")
    String queue();

    /** Where malformed and foreign messages go. */
    @WithDefault("shiftwork-redshift-data-events-dlq")
    String deadLetterQueue();

    /** EventBridge rule matching Data API completion events. */
    @WithDefault("shiftwork-redshift-data-completions")
    String rule();

    /** DynamoDB table correlating statements with runs (the task token's equivalent). */
    @WithDefault("shiftwork-statements")
    String table();

    /**
     * Shards of the correlation table's sparse status index ({@code statusShard = <status>#<n>}): the poller and
     * recovery query each; more shards spread a busy status over more index partitions.
     */
    @WithDefault("4")
    int indexShards();

    /** How long a correlation is kept (TTL). */
    @WithDefault("P7D")
    Duration retention();

    /** With events on, how long to wait for a statement's event before polling it. */
    @WithDefault("PT60S")
    Duration eventTimeout();

    /**
     * How long a claimed completion may take to be applied (the next steps run and the next statement submitted)
     * before the poller applies it again, taking the claimant for dead.
     */
    @WithDefault("PT5M")
    Duration applyTimeout();

    /** How often the poller looks for claims to apply again and statements to submit again (after a crash). */
    @WithDefault("PT10S")
    Duration recoveryInterval();

    /** Due SUBMITTING statements (and expired claims) one recovery pass takes, soonest-due first. */
    @WithDefault("25")
    int recoveryBatch();

    /**
     * Submits whose outcome is unknown (timeout, connection error, 5xx) a statement gets, re-submitted with its
     * ClientToken after a backoff starting at twice {@link #recoveryInterval()}, before its run fails. A refused
     * submit is never tried again.
     */
    @WithDefault("5")
    int submitAttempts();

    /** How long a live submitter may take between recording a statement and submitting it, before recovery takes over. */
    @WithDefault("PT30S")
    Duration submitGrace();

    /**
     * How long a statement step may run before it is cancelled and its run ends TIMED_OUT (the Data API's own limit is
     * 24 h); a step overrides it with header {@code shiftworkStepTimeout}. Checked when the statement is polled, so
     * it shows within {@link #pollMax()} of the deadline.
     */
    @WithDefault("PT24H")
    Duration stepTimeout();

    /** First poll delay; doubles per poll up to {@link #pollMax()}. */
    @WithDefault("PT1S")
    Duration pollInitial();

    @WithDefault("PT30S")
    Duration pollMax();

    /** How often the poller looks for statements that are due. */
    @WithDefault("PT1S")
    Duration pollerInterval();

    /**
     * ExecuteStatement per second from this replica. The Data API's quota (30 a second) is per account and region,
     * shared by every replica and every other application of the account: set it to quota ÷ replicas (15 for the
     * two replicas of kubernetes/shiftwork.yaml). Beyond it the SDK's adaptive retry mode takes the throttling.
     */
    @WithDefault("30")
    double executeRate();

    /** DescribeStatement (and CancelStatement) per second from this replica: the account's quota (100) ÷ replicas. */
    @WithDefault("100")
    double describeRate();

    /** Event consumers reading the queue in parallel. */
    @WithDefault("4")
    int consumers();

    /**
     * How long a received completion event stays invisible to the other consumers; while it is being applied the
     * consumer extends it by as much every half of it (ChangeMessageVisibility), so an apply longer than this (a
     * throttled next submit, a slow step) is never delivered twice nor counted towards the dead-letter queue's
     * maxReceiveCount; a consumer that died lets it show again after this long.
     */
    @WithDefault("PT60S")
    Duration visibilityTimeout();

    /** Messages per ReceiveMessage (SQS: 1-10). */
    @WithDefault("10")
    int receiveMaxMessages();

    /** Long-poll wait of ReceiveMessage in seconds (SQS: 0-20). */
    @WithDefault("20")
    int receiveWaitSeconds();

    /** Statements described in parallel by the poller. */
    @WithDefault("8")
    int pollThreads();

    /** Stops start-up, naming the key, when a statements setting is outside what SQS or the engine can work with. */
    static void check(StatementsConfig c) {
        if (c.consumers() < 1 || c.pollThreads() < 1 || c.indexShards() < 1 || c.recoveryBatch() < 1 || c.submitAttempts() < 1) {
            throw new IllegalStateException("shiftwork.statements.consumers, poll-threads, index-shards, recovery-batch and "
                    + "submit-attempts must be at least 1, got " + c.consumers() + ", " + c.pollThreads() + ", " + c.indexShards()
                    + ", " + c.recoveryBatch() + ", " + c.submitAttempts());
        }
        if (c.receiveWaitSeconds() < 0 || c.receiveWaitSeconds() > 20) {
            throw new IllegalStateException("shiftwork.statements.receive-wait-seconds must be 0 to 20 (SQS's long poll), got "
                    + c.receiveWaitSeconds());
        }
        if (c.receiveMaxMessages() < 1 || c.receiveMaxMessages() > 10) {
            throw new IllegalStateException("shiftwork.statements.receive-max-messages must be 1 to 10 (SQS's batch), got "
                    + c.receiveMaxMessages());
        }
        java.util.Map<String, Duration> positive = new java.util.LinkedHashMap<>();
        positive.put("retention", c.retention());
        positive.put("event-timeout", c.eventTimeout());
        positive.put("apply-timeout", c.applyTimeout());
        positive.put("recovery-interval", c.recoveryInterval());
        positive.put("step-timeout", c.stepTimeout());
        positive.put("poll-initial", c.pollInitial());
        positive.put("poll-max", c.pollMax());
        positive.put("poller-interval", c.pollerInterval());
        positive.put("visibility-timeout", c.visibilityTimeout());
        positive.forEach((k, d) -> {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalStateException("shiftwork.statements." + k + " must be positive, got " + d);
            }
        });
        if (c.submitGrace().isNegative()) {
            throw new IllegalStateException("shiftwork.statements.submit-grace must not be negative, got " + c.submitGrace());
        }
        if (!(c.executeRate() > 0) || !(c.describeRate() > 0)) {
            throw new IllegalStateException("shiftwork.statements.execute-rate and describe-rate must be positive, got "
                    + c.executeRate() + " and " + c.describeRate());
        }
    }
}
