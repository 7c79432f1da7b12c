package io.shiftwork.pipelines;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.camel.util.TimeUtils;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import io.quarkus.runtime.StartupEvent;

/**
 * The {@code shiftwork.*} keys the packaged routes' timers read as their {@code period} or {@code delay}
 * (routes/*.camel.yaml), checked at start-up: Camel takes {@code period=banana} without a word and runs the timer
 * with no period, and reads a bare {@code 60} as 60 ms. A value is a Camel timer duration written with its unit(s):
 * {@code 500ms}, {@code 30s}, {@code 15m}, {@code 24h}, {@code 7d}, {@code 1h30m}.
 */
@ApplicationScoped
public class RouteTimers {

    /** Periods: positive. */
    static final List<String> PERIODS = List.of("shiftwork.runs.heartbeat", "shiftwork.snapshots.tick",
            "shiftwork.snapshots.drill.period", "shiftwork.pause-resume.plan-period",
            "shiftwork.pause-resume.executor-period", "shiftwork.migration.poll", "shiftwork.pool.interval",
            "shiftwork.queries.sweep-interval");
    /** First delays: zero or more. */
    static final List<String> DELAYS = List.of("shiftwork.snapshots.first-tick-delay",
            "shiftwork.pause-resume.first-plan-delay", "shiftwork.pool.first-check-delay");

    void validate(@Observes StartupEvent ev) {
        check(ConfigProvider.getConfig());
    }

    /** Stops start-up, naming the key, at the first timer value that is not a duration of its kind. */
    static void check(Config config) {
        PERIODS.forEach(k -> config.getOptionalValue(k, String.class).ifPresent(v -> duration(k, v, 1)));
        DELAYS.forEach(k -> config.getOptionalValue(k, String.class).ifPresent(v -> duration(k, v, 0)));
    }

    /** {@code d} itself; an IllegalStateException naming {@code key} unless it is positive. */
    public static java.time.Duration positive(String key, java.time.Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalStateException(key + " must be positive, got " + d);
        }
        return d;
    }

    /**
     * {@code value} in milliseconds, a Camel timer duration with its unit(s) of at least {@code min} ms; otherwise an
     * IllegalStateException naming {@code key}.
     */
    public static long duration(String key, String value, long min) {
        String v = value == null ? "" : value.trim();
        long ms = -1;
        if (v.matches("(\\d+(ms|d|h|m|s))+")) {
            try {
                ms = TimeUtils.toMilliSeconds(v);
            } catch (IllegalArgumentException unreadable) {
                ms = -1;
            }
        }
        if (ms < min) {
            throw new IllegalStateException(key + " must be a " + (min > 0 ? "positive " : "") + "duration like 30s, 1m or "
                    + "500ms (a Camel timer's: a number and its unit), got '" + value + "'");
        }
        return ms;
    }
}
