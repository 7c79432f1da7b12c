package io.shiftwork.procedures;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.shiftwork.pipelines.ParamSpec;
import io.shiftwork.pipelines.ParamSpec.Type;
import io.shiftwork.pipelines.PipelineSpec;
import io.shiftwork.pipelines.Trigger;

/** Stored-procedure orchestration; the flows are routes/stored-procedure.camel.yaml and routes/stored-procedures.camel.yaml. */
@ApplicationScoped
public class StoredProcedurePipelines {

    /** {@code [schema.]identifier}: the procedure name is SQL text, so nothing else gets through. */
    static final String PROCEDURE_NAME = "[A-Za-z_][A-Za-z0-9_$]{0,126}(\\.[A-Za-z_][A-Za-z0-9_$]{0,126})?";

    /**
     * Bound as a Data API parameter, whose value must be at least one character; the Data API has no NULL
     * parameter (SqlParameter is a name and a value), so an empty or null message is refused with a 400.
     */
    static final String NON_EMPTY = "(?s).+";

    /** Configuration key of the procedures a run may CALL. */
    static final String ALLOWED = "shiftwork.stored-procedures.allowed";

    private final List<String> allowed;

    public StoredProcedurePipelines(@ConfigProperty(name = ALLOWED) List<String> allowed) {
        this.allowed = allowed;
    }

    @Produces
    PipelineSpec storedProcedure() {
        return PipelineSpec.of("stored-procedure",
                "CALL one stored procedure of " + ALLOWED + " with a message and finish when Redshift reports it done",
                null, List.of(
                        ParamSpec.required("spname", Type.STRING, "procedure to call, [schema.]name, one of " + ALLOWED)
                                .matching(PROCEDURE_NAME).maxLength(255).allowedBy(ALLOWED, allowed),
                        ParamSpec.required("event_message", Type.STRING, "message passed as the procedure's argument")
                                .matching(NON_EMPTY).maxLength(256)))
                .startedBy(Trigger.HTTP);
    }

    @Produces
    PipelineSpec storedProcedures() {
        // the procedures append " finished" to the message, into a varchar(256)
        return PipelineSpec.of("stored-procedures",
                "Run the procedures configured in routes/stored-procedures.camel.yaml one after another", null, List.of(
                        ParamSpec.optional("event_message", Type.STRING, "Shiftwork stored-procedure sequence",
                                "message the logging procedures record").matching(NON_EMPTY).maxLength(240)))
                .startedBy(Trigger.HTTP);
    }
}
