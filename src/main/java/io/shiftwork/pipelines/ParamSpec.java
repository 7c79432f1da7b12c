package io.shiftwork.pipelines;

import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A parameter a pipeline accepts in {@code POST /pipelines/{name}/runs}. Every string has a maximum length and
 * every number a range (defaults {@link #DEFAULT_MAX_LENGTH} and 0..{@link #DEFAULT_MAXIMUM}); a string may also be
 * held to an allowlist of glob patterns from configuration ({@code *} matches any run of characters).
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ParamSpec(String name, Type type, boolean required, Object defaultValue, String pattern,
        String description, Integer maxLength, Number minimum, Number maximum, List<String> allowed,
        String allowedBy) {

    public static final int DEFAULT_MAX_LENGTH = 256;
    public static final long DEFAULT_MAXIMUM = 1_000_000;

    public enum Type {
        STRING, INTEGER, NUMBER, BOOLEAN
    }

    public static ParamSpec optional(String name, Type type, Object defaultValue, String description) {
        return bounded(name, type, false, defaultValue, description);
    }

    public static ParamSpec required(String name, Type type, String description) {
        return bounded(name, type, true, null, description);
    }

    private static ParamSpec bounded(String name, Type type, boolean required, Object defaultValue, String description) {
        Integer length = type == Type.STRING ? DEFAULT_MAX_LENGTH : null;
        Number min = type == Type.INTEGER ? (Number) 0L : type == Type.NUMBER ? (Number) 0.0 : null;
        Number max = type == Type.INTEGER ? (Number) DEFAULT_MAXIMUM : type == Type.NUMBER ? (Number) (double) DEFAULT_MAXIMUM : null;
        return new ParamSpec(name, type, required, defaultValue, null, description, length, min, max, null, null);
    }

    /** A string that must match a regular expression (checked whole). */
    public ParamSpec matching(String regex) {
        Pattern.compile(regex);
        return new ParamSpec(name, type, required, defaultValue, regex, description, maxLength, minimum, maximum,
                allowed, allowedBy);
    }

    /** A string of at most this many characters. */
    public ParamSpec maxLength(int max) {
        if (type != Type.STRING || max < 1) {
            throw new IllegalArgumentException("maxLength applies to strings, at least 1: " + name);
        }
        return new ParamSpec(name, type, required, defaultValue, pattern, description, max, minimum, maximum,
                allowed, allowedBy);
    }

    /** A number from min to max, both included. */
    public ParamSpec range(long min, long max) {
        if (type != Type.INTEGER && type != Type.NUMBER || min > max) {
            throw new IllegalArgumentException("range applies to numbers, min <= max: " + name);
        }
        Number lo = type == Type.INTEGER ? (Number) min : (Number) (double) min;
        Number hi = type == Type.INTEGER ? (Number) max : (Number) (double) max;
        return new ParamSpec(name, type, required, defaultValue, pattern, description, maxLength, lo, hi, allowed,
                allowedBy);
    }

    /**
     * A string a caller may only set to a value matching one of these globs ({@code *}: any characters), read
     * from the configuration key {@code key}. An empty list allows nothing but the default.
     */
    public ParamSpec allowedBy(String key, List<String> globs) {
        if (type != Type.STRING) {
            throw new IllegalArgumentException("an allowlist applies to strings: " + name);
        }
        return new ParamSpec(name, type, required, defaultValue, pattern, description, maxLength, minimum, maximum,
                List.copyOf(globs), key);
    }

    /** True when the value matches one of the allowlist's globs, or there is no allowlist. */
    public boolean allows(String value) {
        if (allowed == null) {
            return true;
        }
        for (String glob : allowed) {
            if (globMatches(glob.trim(), value)) {
                return true;
            }
        }
        return false;
    }

    static boolean globMatches(String glob, String value) {
        String[] parts = glob.split("\\*", -1);
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                regex.append(".*");
            }
            if (!parts[i].isEmpty()) {
                regex.append(Pattern.quote(parts[i]));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL).matcher(value).matches();
    }
}
