package io.shiftwork.pipelines;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What a pipeline is: its name (kebab-case, also in {@code /pipelines/{name}}), what it does, how it is
 * triggered, the parameters it takes and the Camel endpoint its flow starts from. Each capability produces
 * one bean of this type per pipeline.
 *
 * @param triggers what may start a run: {@code POST /pipelines/{name}/runs} only with {@link Trigger#HTTP}; an empty
 *        set makes a record pipeline, whose runs only the service writes ({@link PipelineRunner#record})
 * @param concurrency whether a run may start while another of the same pipeline is still going
 * @param role the role a caller needs to start a run over HTTP ({@code operator} unless the pipeline says otherwise;
 *        {@code admin} for what grants data or costs money); none for a record pipeline
 */
@RegisterForReflection
public record PipelineSpec(String name, String description, String schedule, List<ParamSpec> parameters,
        String entryUri, Set<Trigger> triggers, Concurrency concurrency, String role) {

    /** How runs of one pipeline may overlap. */
    public enum Concurrency {
        /** Any number at once. */
        PARALLEL,
        /** One at a time across replicas: a second HTTP start is 409, a scheduled one is recorded SKIPPED. */
        ONE_AT_A_TIME
    }

    /** Started over HTTP, by a schedule or by an event, not a record. */
    public static PipelineSpec of(String name, String description, String schedule, List<ParamSpec> parameters) {
        return new PipelineSpec(name, description, schedule, List.copyOf(parameters), "direct:pipeline-" + name,
                EnumSet.allOf(Trigger.class), Concurrency.PARALLEL, io.shiftwork.auth.Roles.OPERATOR);
    }

    /** A pipeline whose runs record what the service did; nothing outside the service can start one. */
    public static PipelineSpec record(String name, String description, List<ParamSpec> parameters) {
        return new PipelineSpec(name, description, null, List.copyOf(parameters), "direct:pipeline-" + name,
                EnumSet.noneOf(Trigger.class), Concurrency.PARALLEL, null);
    }

    /** Only these triggers may start a run. */
    public PipelineSpec startedBy(Trigger first, Trigger... more) {
        return new PipelineSpec(name, description, schedule, parameters, entryUri, Set.copyOf(EnumSet.of(first, more)),
                concurrency, role);
    }

    public PipelineSpec oneAtATime() {
        return new PipelineSpec(name, description, schedule, parameters, entryUri, triggers, Concurrency.ONE_AT_A_TIME, role);
    }

    /** Starting a run over HTTP takes this role ({@link io.shiftwork.auth.Roles}). */
    public PipelineSpec requires(String role) {
        return new PipelineSpec(name, description, schedule, parameters, entryUri, triggers, concurrency, role);
    }

    public boolean isRecord() {
        return triggers.isEmpty();
    }
}
