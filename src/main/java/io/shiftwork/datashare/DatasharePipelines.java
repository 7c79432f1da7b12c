package io.shiftwork.datashare;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;

import io.quarkus.runtime.StartupEvent;

import io.shiftwork.pipelines.ParamSpec;
import io.shiftwork.pipelines.ParamSpec.Type;
import io.shiftwork.pipelines.PipelineSpec;
import io.shiftwork.pipelines.Trigger;

/** Data sharing between Serverless namespaces; the flow is routes/datashare.camel.yaml. */
@ApplicationScoped
public class DatasharePipelines {

    private static final String KEY = "shiftwork.datashare.";
    /** A Serverless workgroup's name as AWS allows it: 3 to 64 lower-case letters, digits and hyphens. */
    private static final java.util.regex.Pattern WORKGROUP = java.util.regex.Pattern.compile("[a-z0-9-]{3,64}");

    /** Settings the datashare flow cannot use stop start-up naming the key, rather than fail its first run. */
    void validate(@Observes StartupEvent ev, DatashareConfig config) {
        check(config);
    }

    /**
     * Stops start-up, naming the full key, when shiftwork.datashare.* holds a value the flow cannot use: the
     * producer and consumers must be workgroup names, the share, schemas and databases Redshift identifiers as the flow
     * writes them unquoted (lower case: Redshift folds an unquoted identifier, so an upper-case value would not be what
     * the SVV views show).
     */
    static void check(DatashareConfig config) {
        config.producer().ifPresent(p -> workgroup("producer", p));
        List<String> consumers = config.consumers().orElse(List.of());
        if (!consumers.isEmpty() && config.producer().isEmpty()) {
            throw new IllegalStateException(KEY + "consumers is set but " + KEY + "producer is not");
        }
        Set<String> seen = new HashSet<>();
        for (String c : consumers) {
            workgroup("consumers", c);
            if (!seen.add(c.trim())) {
                throw new IllegalStateException(KEY + "consumers: '" + c.trim() + "' is listed twice");
            }
            if (config.producer().map(String::trim).filter(c.trim()::equals).isPresent()) {
                throw new IllegalStateException(KEY + "consumers: '" + c.trim() + "' is the producer (" + KEY + "producer)");
            }
        }
        if (consumers.size() > DatasharePlanner.MAX_PER_KIND) {
            throw new IllegalStateException(KEY + "consumers: at most " + DatasharePlanner.MAX_PER_KIND + ", got "
                    + consumers.size());
        }
        List<String> schemas = config.schemas();
        if (schemas.isEmpty() || schemas.size() > DatasharePlanner.MAX_PER_KIND) {
            throw new IllegalStateException(KEY + "schemas: 1 to " + DatasharePlanner.MAX_PER_KIND + " schemas, got "
                    + schemas.size());
        }
        seen.clear();
        for (String s : schemas) {
            identifier("schemas", s);
            if (!seen.add(s.trim())) {
                throw new IllegalStateException(KEY + "schemas: '" + s.trim() + "' is listed twice");
            }
        }
        identifier("share", config.share());
        identifier("consumer-database", config.consumerDatabase());
        identifier("database", config.database());
    }

    private static void workgroup(String key, String value) {
        if (!WORKGROUP.matcher(value.trim()).matches()) {
            throw new IllegalStateException(KEY + key + ": '" + value + "' is not a Serverless workgroup name: 3 to 64 "
                    + "lower-case letters, digits and hyphens");
        }
    }

    private static void identifier(String key, String value) {
        String v = value.trim();
        if (!DatasharePlanner.IDENTIFIER.matcher(v).matches()) {
            String folded = v.toLowerCase(Locale.ROOT);
            throw new IllegalStateException(KEY + key + ": '" + value + "' is not a Redshift identifier as the flow writes "
                    + "it: lower-case letters, digits, '_' or '$', starting with a letter or '_', at most 127 characters"
                    + (DatasharePlanner.IDENTIFIER.matcher(folded).matches()
                            ? " (Redshift folds unquoted identifiers to lower case: write '" + folded + "')" : ""));
        }
    }

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
