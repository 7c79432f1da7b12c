package io.shiftwork.pipelines;

import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What a pipeline is: its name (kebab-case, also in {@code /pipelines/{name}}), what it does, how it is
 * triggered, the parameters it takes and the Camel endpoint its flow starts from. Each capability produces
 * one bean of this type per pipeline.
 */
@RegisterForReflection
public record PipelineSpec(String name, String description, String schedule, List<ParamSpec> parameters,
        String entryUri) {

    public static PipelineSpec of(String name, String description, String schedule, List<ParamSpec> parameters) {
        return new PipelineSpec(name, description, schedule, List.copyOf(parameters), "direct:pipeline-" + name);
    }
}
