package io.shiftwork.snapshots;

import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "shiftwork.snapshots")
public interface SnapshotsConfig {

    /** Schedules by namespace. */
    Map<String, ScheduleConfig> schedules();

    /** How often the tick runs (Camel duration: 15m, 1h...). */
    @WithDefault("15m")
    String tick();

    /** Delay before the first tick after start-up (Camel duration). */
    @WithDefault("60s")
    String firstTickDelay();

    /** Whether the tick timer runs (off in tests, which trigger runs over HTTP). */
    @WithDefault("true")
    boolean scheduled();

    /** Manual snapshots the account may hold per region; a schedule keeping more is warned about. */
    @WithDefault("20")
    int manualSnapshotQuota();

    /** Copy a fresh automated snapshot (cheap) instead of taking a manual one. */
    @WithDefault("true")
    boolean copyAutomated();

    /** Page size of snapshot listings. */
    @WithDefault("100")
    int pageSize();

    /** Restore drills on their own timer. */
    Drill drill();

    interface Drill {
        @WithDefault("false")
        boolean enabled();

        /** Camel duration between drills, e.g. 7d. */
        @WithDefault("7d")
        String period();

        /** The schedule whose newest snapshot is restored. */
        Optional<String> schedule();

        /** The query that must finish on the restored copy when a drill names none. */
        Optional<String> verifySql();

        /**
         * Verification queries a drill may name ({@code "verify": "<name>"}): SQL only ever comes from
         * configuration, never from a caller.
         */
        Map<String, String> queries();
    }

    interface ScheduleConfig {
        /** Provisioned cluster identifier, or serverless namespace name. */
        Optional<String> target();

        /** provisioned (default) or serverless. */
        Optional<String> kind();

        Optional<String> region();

        /** e.g. "6 hours", "1 week". */
        Optional<String> interval();

        /** Absent: keep forever. */
        Optional<String> retention();
    }
}
