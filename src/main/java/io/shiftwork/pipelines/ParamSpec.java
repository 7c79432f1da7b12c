package io.shiftwork.pipelines;

import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** A parameter a pipeline accepts in {@code POST /pipelines/{name}/runs}. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ParamSpec(String name, Type type, boolean required, Object defaultValue, String pattern,
        String description) {

    public enum Type {
        STRING, INTEGER, NUMBER, BOOLEAN
    }

    public static ParamSpec optional(String name, Type type, Object defaultValue, String description) {
        return new ParamSpec(name, type, false, defaultValue, null, description);
    }

    public static ParamSpec required(String name, Type type, String description) {
        return new ParamSpec(name, type, true, null, null, description);
    }

    /** A string that must match a regular expression (checked whole). */
    public ParamSpec matching(String regex) {
        Pattern.compile(regex);
        return new ParamSpec(name, type, required, defaultValue, regex, description);
    }
}
