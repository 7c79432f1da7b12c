package io.shiftwork.queries;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Routed reads ({@code POST /queries}): where they run, as whom, and their bounds. */
@ConfigMapping(prefix = "shiftwork.queries")
public interface QueriesConfig {

    /**
     * The identical consumers a read may run on, in order of preference when equally busy: Serverless workgroup
     * names, or {@code cluster:<identifier>} for a provisioned cluster. The default {@link ReadTargets} reads this
     * list; a health-aware pool can replace it.
     */
    Optional<List<String>> consumers();

    /** The database a read runs in when the request names none. */
    @WithDefault("dev")
    String database();

    /**
     * Secrets Manager secret ({@code username}, {@code password}) of a database user that has only SELECT: the
     * only way to choose the user on a Serverless workgroup (the Data API takes no DbUser there; without a secret
     * it maps the service's own IAM role to {@code IAMR:<role>}, which also runs the admin flows).
     */
    Optional<String> secretArn();

    /**
     * The read-only database user's name: on a provisioned cluster without {@link #secretArn()} the user reads run as
     * (temporary credentials); with a secret, its {@code username}, which the datashare flow then grants USAGE on each
     * consumer's datashare database (the service never reads the secret itself).
     */
    Optional<String> dbUser();

    /** How long a synchronous read may take, submit to last page; then it is cancelled (504). */
    @WithDefault("PT30S")
    Duration timeout();

    /** At most this many rows are returned ({@code truncated: true} beyond); a request may ask for fewer. */
    @WithDefault("1000")
    int maxRows();

    /** First pause between DescribeStatement polls; it doubles up to {@link #maxPollInterval()}. */
    @WithDefault("PT0.005S")
    Duration pollInterval();

    @WithDefault("PT0.2S")
    Duration maxPollInterval();

    /** ExecuteStatement calls per second from this replica for reads (the account's quota is shared: see README). */
    @WithDefault("10")
    double executeRate();

    /**
     * How often the leader cancels routed reads still running past {@link #timeout()} from their submit that nobody
     * polls (a Camel timer duration: 60s, 5m, 500ms): {@link ReadSweep}, routes/queries-sweep.camel.yaml.
     */
    @WithDefault("60s")
    String sweepInterval();

    /** Whether the sweep's timer runs (off in tests, which call the sweep themselves). */
    @WithDefault("true")
    boolean sweepScheduled();
}
