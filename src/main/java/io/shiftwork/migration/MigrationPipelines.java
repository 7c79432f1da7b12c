package io.shiftwork.migration;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import io.shiftwork.pipelines.ParamSpec;
import io.shiftwork.pipelines.ParamSpec.Type;
import io.shiftwork.pipelines.PipelineSpec;
import io.shiftwork.pipelines.Trigger;

/** Migration of a provisioned cluster into Redshift Serverless; the flow is routes/migration.camel.yaml. */
@ApplicationScoped
public class MigrationPipelines {

    @Produces
    PipelineSpec migration() {
        return PipelineSpec.of(MigrationFlow.PIPELINE,
                "Snapshot shiftwork.migration.source-cluster (or take shiftwork.migration.snapshot), restore it by ARN "
                        + "into the Serverless namespace, wait until it is AVAILABLE, compare the row counts of "
                        + "shiftwork.migration.tables on both sides and publish the report to SNS",
                null, List.of(ParamSpec.optional("createTarget", Type.BOOLEAN, null,
                        "create the namespace and workgroup when missing (default: shiftwork.migration.create-target)")))
                .startedBy(Trigger.HTTP).oneAtATime()
                .requires(io.shiftwork.auth.Roles.ADMIN); // overwrites a namespace
    }
}
