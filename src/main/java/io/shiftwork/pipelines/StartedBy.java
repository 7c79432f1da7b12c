package io.shiftwork.pipelines;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Who started a run, kept with it for audit: the signed-in principal (or {@code anonymous}) with its roles and
 * the client's address for HTTP, the service itself for schedules and events. Never read from request headers a
 * client could forge.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StartedBy(String principal, List<String> roles, String trigger, String sourceAddress) {

    /** The principal of runs the service starts by itself. */
    public static final String SERVICE = "shiftwork";

    public static StartedBy service(Trigger trigger) {
        return new StartedBy(SERVICE, List.of(), trigger.id(), null);
    }

    public Trigger triggerKind() {
        return Trigger.of(trigger);
    }
}
