package io.shiftwork.smoke;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import io.quarkus.arc.lookup.LookupIfProperty;
import io.shiftwork.pipelines.ParamSpec;
import io.shiftwork.pipelines.ParamSpec.Type;
import io.shiftwork.pipelines.PipelineSpec;
import io.shiftwork.pipelines.Trigger;

/**
 * The built-in pipeline that proves the run path: its flow is routes/smoke.camel.yaml. Offered only with
 * {@code shiftwork.smoke.enabled=true} (dev and test): in production it would be a free way to hold run threads.
 */
@ApplicationScoped
public class SmokePipeline {

    @Produces
    @LookupIfProperty(name = "shiftwork.smoke.enabled", stringValue = "true")
    PipelineSpec smoke() {
        return PipelineSpec.of("smoke", "Records one step that greets; proves HTTP → Camel → DynamoDB end to end",
                null, List.of(
                        ParamSpec.optional("name", Type.STRING, "world", "who to greet").maxLength(64),
                        ParamSpec.optional("delayMs", Type.INTEGER, 0L, "how long the step takes").range(0, 60_000),
                        ParamSpec.optional("fail", Type.BOOLEAN, false, "make the step fail")))
                .startedBy(Trigger.HTTP);
    }
}
