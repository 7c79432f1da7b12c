package io.shiftwork.smoke;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import io.shiftwork.pipelines.ParamSpec;
import io.shiftwork.pipelines.ParamSpec.Type;
import io.shiftwork.pipelines.PipelineSpec;

/** The built-in pipeline that proves the run path: its flow is routes/smoke.camel.yaml. */
@ApplicationScoped
public class SmokePipeline {

    @Produces
    PipelineSpec smoke() {
        return PipelineSpec.of("smoke", "Records one step that greets; proves HTTP → Camel → DynamoDB end to end",
                null, List.of(
                        ParamSpec.optional("name", Type.STRING, "world", "who to greet"),
                        ParamSpec.optional("delayMs", Type.INTEGER, 0L, "how long the step takes"),
                        ParamSpec.optional("fail", Type.BOOLEAN, false, "make the step fail")));
    }
}
