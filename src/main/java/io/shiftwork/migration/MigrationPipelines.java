package io.shiftwork.migration;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;

import io.quarkus.runtime.StartupEvent;
import io.shiftwork.pipelines.ParamSpec;
import io.shiftwork.pipelines.ParamSpec.Type;
import io.shiftwork.pipelines.PipelineSpec;
import io.shiftwork.pipelines.Trigger;

/** Migration of a provisioned cluster into Redshift Serverless; the flow is routes/migration.camel.yaml. */
@ApplicationScoped
public class MigrationPipelines {

    /** Tables the flow could not count stop start-up, naming the key, rather than fail each run. */
    void validate(@Observes StartupEvent ev, MigrationConfig config) {
        check(config.tables().orElse(List.of()));
        io.shiftwork.pipelines.RouteTimers.positive("shiftwork.migration.timeout", config.timeout());
    }

    /** Stops start-up, naming the key and the entry, when shiftwork.migration.tables holds one that is no table. */
    static void check(List<String> tables) {
        try {
            MigrationPlanner.tables(tables);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

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
