package io.shiftwork.snapshots;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the {@code shiftwork.snapshots.schedules.*} configuration into {@link Schedule}s, naming the exact key
 * of the first problem. Pure.
 */
public final class ScheduleParser {

    /** Safe as a tag value and inside a snapshot identifier. */
    static final Pattern NAMESPACE = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");
    private static final Pattern SPAN = Pattern.compile("\\s*(-?\\d+)\\s*([a-zA-Z]+)\\s*");
    static final String PREFIX = "shiftwork.snapshots.schedules.";

    /** The raw configuration of one schedule. */
    public record Raw(String name, String target, String kind, String region, String interval, String retention) {
    }

    private ScheduleParser() {
    }

    public static List<Schedule> parse(List<Raw> raws, String defaultRegion) {
        List<Schedule> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Raw r : raws) {
            String key = PREFIX + r.name();
            if (!NAMESPACE.matcher(r.name()).matches() || r.name().length() > 63) {
                throw new IllegalArgumentException(key + ": the schedule namespace '" + r.name() + "' must be lower-case "
                        + "letters, digits and single hyphens, start with a letter, at most 63 characters");
            }
            if (!seen.add(r.name())) {
                throw new IllegalArgumentException(key + ": duplicate namespace '" + r.name() + "'");
            }
            if (r.target() == null || r.target().isBlank()) {
                throw new IllegalArgumentException(key + ".target is required (cluster identifier or serverless namespace)");
            }
            Schedule.Kind kind;
            try {
                kind = Schedule.Kind.valueOf(Optional.ofNullable(r.kind()).orElse("provisioned").toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ".kind must be provisioned or serverless, got '" + r.kind() + "'");
            }
            Duration interval = span(key + ".interval", r.interval());
            Optional<Duration> retention = r.retention() == null || r.retention().isBlank() ? Optional.empty()
                    : Optional.of(span(key + ".retention", r.retention()));
            if (retention.isPresent() && retention.get().compareTo(interval) < 0) {
                throw new IllegalArgumentException(key + ".retention (" + r.retention() + ") is shorter than " + key
                        + ".interval (" + r.interval() + "): every snapshot would be deleted before the next is taken");
            }
            out.add(new Schedule(r.name(), kind, r.target(), r.region() == null ? defaultRegion : r.region(), interval,
                    retention));
        }
        return out;
    }

    /** "90 minutes", "6h", "1 day", "2 weeks": minutes, hours, days or weeks. */
    static Duration span(String key, String text) {
        if (text == null) {
            throw new IllegalArgumentException(key + " is required, e.g. '6 hours' or '1 week'");
        }
        Matcher m = SPAN.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException(key + " must be a number and a unit (minutes, hours, days, weeks), got '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        if (n <= 0) {
            throw new IllegalArgumentException(key + " must be positive, got '" + text + "'");
        }
        String unit = m.group(2).toLowerCase(Locale.ROOT);
        return switch (unit) {
            case "m", "min", "mins", "minute", "minutes" -> Duration.ofMinutes(n);
            case "h", "hour", "hours" -> Duration.ofHours(n);
            case "d", "day", "days" -> Duration.ofDays(n);
            case "w", "week", "weeks" -> Duration.ofDays(7 * n);
            default -> throw new IllegalArgumentException(key + " has an unknown unit '" + m.group(2)
                    + "' (use minutes, hours, days or weeks)");
        };
    }

}
