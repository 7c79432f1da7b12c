package io.shiftwork.datashare;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import io.shiftwork.pipelines.ParamSpec;
import io.shiftwork.pipelines.ParamSpec.Type;
import io.shiftwork.pipelines.PipelineSpec;
import io.shiftwork.pipelines.Trigger;

/** Data sharing between Serverless namespaces; the flow is routes/datashare.camel.yaml. */
@ApplicationScoped
public class DatasharePipelines {

    @Produces
    PipelineSpec datashare() {
        return PipelineSpec.of("datashare",
                "Share shiftwork.datashare.schemas of the producer with the consumers: CREATE DATASHARE, ADD SCHEMA, "
                        + "ADD ALL TABLES, GRANT USAGE TO NAMESPACE, CREATE DATABASE FROM DATASHARE on each consumer and "
                        + "GRANT USAGE ON DATABASE to shiftwork.queries.db-user if set; "
                        + "only what the SVV views show missing, and REVOKE for namespaces no longer configured",
                null, List.of(ParamSpec.optional("consumers", Type.STRING, null,
                        "comma-separated subset of shiftwork.datashare.consumers to keep granted this run (default: all)")
                        .matching("[a-z0-9-]{3,63}(,[a-z0-9-]{3,63})*").maxLength(1024)))
                .startedBy(Trigger.HTTP).oneAtATime()
                .requires(io.shiftwork.auth.Roles.ADMIN); // grants data to other namespaces
    }
}
