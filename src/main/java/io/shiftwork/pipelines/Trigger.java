package io.shiftwork.pipelines;

import com.fasterxml.jackson.annotation.JsonValue;

/** What started a run. */
public enum Trigger {
    HTTP, SCHEDULE, EVENT;

    @JsonValue
    public String id() {
        return name().toLowerCase();
    }

    public static Trigger of(String id) {
        return valueOf(id.toUpperCase());
    }
}
