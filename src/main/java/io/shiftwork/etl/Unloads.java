package io.shiftwork.etl;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import org.apache.camel.Exchange;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.shiftwork.pipelines.PipelineRunner;
import io.shiftwork.statements.StatementEngine;
import io.shiftwork.statements.StepSequence;

/**
 * An UNLOAD step: the query from header {@code shiftworkUnloadQuery}, the target from the run's bucket, prefix
 * and format. Sets the statement for {@code direct:redshift-statement} and records the S3 location with the step.
 */
@ApplicationScoped
@Named("unloads")
@RegisterForReflection
public class Unloads {

    /** Header: the SELECT an UNLOAD step writes to S3. */
    public static final String QUERY = "shiftworkUnloadQuery";

    private final EtlConfig config;

    public Unloads(EtlConfig config) {
        this.config = config;
    }

    public void prepare(Exchange exchange) {
        Map<?, ?> inputs = exchange.getIn().getBody(Map.class);
        String runId = exchange.getIn().getHeader(PipelineRunner.RUN_ID, String.class);
        String step = exchange.getIn().getHeader(StepSequence.STEP, String.class);
        String bucket = input(inputs, "bucket", config.bucket().orElse(null));
        if (bucket == null) {
            throw new IllegalArgumentException("no bucket to UNLOAD to: set shiftwork.etl.bucket or the run's 'bucket'");
        }
        String location = UnloadStatement.location(bucket, input(inputs, "prefix", config.prefix()), runId, step);
        String format = input(inputs, "format", config.format().name());
        exchange.getIn().setHeader(StatementEngine.SQL, UnloadStatement.sql(exchange.getIn().getHeader(QUERY, String.class),
                location, input(inputs, "iam_role", config.iamRole()), UnloadStatement.format(format), config.unloadHeader(), config.unloadOptions()));
        exchange.getIn().setHeader(StatementEngine.AWS_IDS, Map.of("s3Location", location));
    }

    private static String input(Map<?, ?> inputs, String name, String fallback) {
        Object v = inputs == null ? null : inputs.get(name);
        return v == null || v.toString().isBlank() ? fallback : v.toString();
    }
}
