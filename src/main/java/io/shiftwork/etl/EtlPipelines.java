package io.shiftwork.etl;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import org.jboss.logging.Logger;
import org.quartz.CronExpression;

import io.quarkus.runtime.Startup;
import io.shiftwork.pipelines.Bootstrap;
import io.shiftwork.pipelines.ParamSpec;
import io.shiftwork.pipelines.ParamSpec.Type;
import io.shiftwork.pipelines.PipelineSpec;
import io.shiftwork.pipelines.Trigger;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;

/**
 * The ETL → UNLOAD → notify chain and its setup (flows: routes/etl-unload-notify.camel.yaml, routes/etl-setup.camel.yaml; SQL: sql/etl/).
 * Its configuration is checked at start-up: a bad cron, role, bucket or option stops the service naming the key.
 */
@ApplicationScoped
@Startup
public class EtlPipelines implements Bootstrap.Step {

    private static final Logger LOG = Logger.getLogger(EtlPipelines.class);

    private final EtlConfig config;
    private final S3Client s3;

    public EtlPipelines(EtlConfig config, S3Client s3) {
        this.config = config;
        this.s3 = s3;
    }

    @PostConstruct
    void validate() {
        try {
            CronExpression.validateExpression(config.schedule());
        } catch (ParseException e) {
            throw new IllegalArgumentException("shiftwork.etl.schedule '" + config.schedule()
                    + "' is not a Quartz cron expression (seconds minutes hours day-of-month month day-of-week): " + e.getMessage());
        }
        check("shiftwork.etl.iam-role", config.iamRole(), UnloadStatement.IAM_ROLE);
        config.bucket().ifPresent(b -> check("shiftwork.etl.bucket", b, UnloadStatement.BUCKET));
        config.source().ifPresent(s -> check("shiftwork.etl.source", s, UnloadStatement.S3_URI));
        check("shiftwork.etl.prefix", config.prefix(), UnloadStatement.KEY_PREFIX);
        UnloadStatement.checkOptions(config.unloadOptions());
    }

    /** Before Camel starts its routes (the quartz: route would fail first, without naming the key). */
    void beforeCamel(@jakarta.enterprise.event.Observes org.apache.camel.quarkus.main.events.BeforeConfigure event) {
        // instantiating this bean ran validate()
    }

    private static void check(String key, String value, String pattern) {
        if (!value.matches(pattern)) {
            throw new IllegalArgumentException(key + " '" + value + "' must match " + pattern);
        }
    }

    @Override
    public void bootstrap() {
        if (!config.sampleData() || config.source().isEmpty()) {
            return;
        }
        String source = config.source().get().substring("s3://".length());
        String bucket = source.contains("/") ? source.substring(0, source.indexOf('/')) : source;
        String prefix = source.contains("/") ? source.substring(source.indexOf('/') + 1) : "";
        for (String b : config.bucket().map(x -> List.of(bucket, x)).orElse(List.of(bucket))) {
            try {
                s3.createBucket(r -> r.bucket(b));
            } catch (BucketAlreadyOwnedByYouException exists) {
                // created before
            }
        }
        String key = (prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/") + "trips-2024-01.csv";
        s3.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromString(TaxiSample.csv()));
        LOG.infof("bootstrap: %d sample NYC-taxi trips at s3://%s/%s", TaxiSample.ROWS, bucket, key);
    }

    @Produces
    PipelineSpec etlSetup() {
        return PipelineSpec.of("etl-setup", "Create nyc_yellow_taxi, its volume-analysis materialized view and "
                + "execute_elt_process() from sql/etl/, one statement at a time; safe to run again", null, List.of())
                .startedBy(Trigger.HTTP).requires(io.shiftwork.auth.Roles.ADMIN); // a migration of the warehouse
    }

    @Produces
    PipelineSpec etlUnloadNotify() {
        List<ParamSpec> params = new ArrayList<>();
        params.add(optionalOrRequired("source", config.source().orElse(null),
                "s3://bucket/prefix/ the procedure COPYs the trips from").matching(UnloadStatement.S3_URI)
                .maxLength(1024).allowedBy("shiftwork.etl.allowed-sources", allowed(config.allowedSources(), config.source())));
        params.add(optionalOrRequired("bucket", config.bucket().orElse(null), "bucket the analysis is unloaded to")
                .matching(UnloadStatement.BUCKET).maxLength(63)
                .allowedBy("shiftwork.etl.allowed-buckets", allowed(config.allowedBuckets(), config.bucket())));
        params.add(ParamSpec.optional("prefix", Type.STRING, config.prefix(),
                "key prefix; the run unloads to <prefix>/<run-id>/").matching(UnloadStatement.KEY_PREFIX).maxLength(512)
                .allowedBy("shiftwork.etl.allowed-prefixes", allowed(config.allowedPrefixes(), Optional.of(config.prefix()))));
        params.add(ParamSpec.optional("iam_role", Type.STRING, config.iamRole(),
                "role Redshift uses for COPY and UNLOAD: default or an ARN").matching(UnloadStatement.IAM_ROLE)
                .maxLength(2048)
                .allowedBy("shiftwork.etl.allowed-iam-roles", allowed(config.allowedIamRoles(), Optional.of(config.iamRole()))));
        params.add(ParamSpec.optional("format", Type.STRING, config.format().name(), "UNLOAD format")
                .matching("CSV|JSON|PARQUET").maxLength(7));
        // execute_elt_process() deletes and reloads the table: two at once would interleave
        return PipelineSpec.of("etl-unload-notify", "CALL execute_elt_process(), UNLOAD the analysis to S3, notify SNS; "
                + "each step only after Redshift reports the previous one FINISHED; one run at a time",
                config.scheduled() ? "cron " + config.schedule() + " UTC" : null, params)
                .startedBy(Trigger.HTTP, Trigger.SCHEDULE).oneAtATime();
    }

    /** The configured allowlist, else only the configured value (an exact glob: no '*' in S3 names or ARNs). */
    private static List<String> allowed(Optional<List<String>> configured, Optional<String> value) {
        return configured.orElse(value.map(List::of).orElse(List.of()));
    }

    private static ParamSpec optionalOrRequired(String name, String configured, String description) {
        return configured == null ? ParamSpec.required(name, Type.STRING, description)
                : ParamSpec.optional(name, Type.STRING, configured, description);
    }
}
