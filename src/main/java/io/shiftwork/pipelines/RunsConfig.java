package io.shiftwork.pipelines;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "shiftwork.runs")
public interface RunsConfig {

    /** DynamoDB table holding runs. */
    @WithDefault("shiftwork-runs")
    String table();

    /** How long a finished run is kept before DynamoDB's TTL removes it. */
    @WithDefault("P30D")
    Duration retention();

    /** Largest page {@code GET /pipelines/{name}/runs?limit=} returns. */
    @WithDefault("100")
    int maxLimit();

    /**
     * How long the lock of a pipeline that runs one at a time lasts if its run never ends (a replica died):
     * longer than any run of such a pipeline takes.
     */
    @WithDefault("PT6H")
    Duration lockTtl();

    /** How often an instance writes a heartbeat into each run whose flow it executes (and sweeps for abandoned runs). */
    @WithDefault("60s")
    Duration heartbeat();

    /**
     * A RUNNING run with no write and no heartbeat for this long is abandoned (its instance stopped): it is marked
     * FAILED and its lock released. At least three heartbeats.
     */
    @WithDefault("15m")
    Duration abandonedAfter();

    /** Whether this instance sweeps for abandoned runs and interrupted drills' copies (off in tests, which call it). */
    @WithDefault("true")
    boolean scheduled();
}
