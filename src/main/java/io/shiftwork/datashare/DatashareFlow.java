package io.shiftwork.datashare;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import org.apache.camel.Exchange;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.shiftwork.pipelines.PipelineRunner;
import io.shiftwork.pipelines.Run;
import io.shiftwork.pipelines.RunStore;
import io.shiftwork.queries.QueriesConfig;
import io.shiftwork.statements.StatementEngine;
import io.shiftwork.statements.StepSequence;

/**
 * The datashare flow's machinery (routes/datashare.camel.yaml): reads what the SVV views say, plans only the
 * missing statements ({@link DatasharePlanner}) and hands each to the statement engine as a step of its own.
 */
@ApplicationScoped
@Named("datashareFlow")
@RegisterForReflection
public class DatashareFlow {

    /** Run context key: the planned statements, so a step finds its SQL on whichever replica resumes the run. */
    static final String PLAN = "datashare";
    static final String CHECKED_STEP = "direct:datashare-checked";

    private final DatashareConfig config;
    private final DatashareReader reader;
    private final RunStore runs;
    private final QueriesConfig queries;

    public DatashareFlow(DatashareConfig config, DatashareReader reader, RunStore runs, QueriesConfig queries) {
        this.config = config;
        this.reader = reader;
        this.runs = runs;
        this.queries = queries;
    }

    /**
     * Reads the producer's and consumers' state, plans the statements still needed and names them as the run's
     * steps in header {@code shiftworkSteps}: {@code datashare-checked} (what was found) and one step per statement.
     * With {@code shiftwork.queries.db-user} set, that read-only user is granted USAGE on each consumer's datashare
     * database where SVV_DATABASE_PRIVILEGES shows it missing.
     * A run's {@code consumers} (comma-separated) narrows the configured consumers; the others are revoked.
     */
    public void plan(Exchange exchange) {
        String runId = exchange.getIn().getHeader(PipelineRunner.RUN_ID, String.class);
        DatasharePlanner.Desired desired = desired(consumers(exchange));
        DatasharePlanner.Observed observed = reader.observe(desired, config.database());
        List<DatasharePlanner.Planned> plan = DatasharePlanner.plan(desired, observed);
        List<Map<String, String>> stored = new ArrayList<>();
        List<String> steps = new ArrayList<>();
        steps.add(CHECKED_STEP);
        for (DatasharePlanner.Planned p : plan) {
            stored.add(Map.of("step", p.step(), "workgroup", p.workgroup(), "sql", p.sql()));
            steps.add("direct:" + p.step());
        }
        Map<String, Object> found = new LinkedHashMap<>();
        found.put("share", desired.share());
        found.put("producer", desired.producer().workgroup() + " (" + desired.producer().namespaceId() + ")");
        found.put("shareExisted", observed.shareExists());
        found.put("grantedBefore", observed.grantedNamespaces().stream().sorted().toList());
        if (desired.readUser() != null) {
            found.put("readUser", desired.readUser());
        }
        found.put("statements", plan.stream().map(DatasharePlanner.Planned::sql).toList());
        runs.update(runId, r -> r.withContext(PLAN, stored).withContext(PLAN + "-checked", found));
        exchange.getIn().setHeader(StepSequence.STEPS, steps);
    }

    private List<String> consumers(Exchange exchange) {
        List<String> configured = config.consumers().orElse(List.of());
        Object asked = exchange.getIn().getBody(Map.class) == null ? null : exchange.getIn().getBody(Map.class).get("consumers");
        if (asked == null || String.valueOf(asked).isBlank()) {
            return configured;
        }
        List<String> subset = Arrays.stream(String.valueOf(asked).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .toList();
        for (String c : subset) {
            if (!configured.contains(c)) {
                throw new IllegalArgumentException("consumer '" + c + "' is not one of shiftwork.datashare.consumers " + configured);
            }
        }
        return subset;
    }

    private DatasharePlanner.Desired desired(List<String> consumers) {
        String producer = config.producer().orElseThrow(() -> new IllegalArgumentException(
                "no producer: set shiftwork.datashare.producer to the producer's Serverless workgroup"));
        List<DatasharePlanner.Target> targets = new ArrayList<>();
        for (String c : consumers) {
            targets.add(reader.target(c));
        }
        return new DatasharePlanner.Desired(config.share().trim().toLowerCase(java.util.Locale.ROOT),
                config.publiclyAccessible(), config.schemas().stream().map(s -> s.trim().toLowerCase(java.util.Locale.ROOT)).toList(),
                reader.target(producer), targets, config.consumerDatabase().trim().toLowerCase(java.util.Locale.ROOT),
                queries.dbUser().map(u -> u.trim().toLowerCase(java.util.Locale.ROOT)).filter(u -> !u.isEmpty()).orElse(null));
    }

    /** The {@code datashare-checked} step: what the SVV views said and which statements follow (its output). */
    @SuppressWarnings("unchecked")
    public Map<String, Object> checked(Exchange exchange) {
        Run run = current(exchange);
        return (Map<String, Object>) run.context().getOrDefault(PLAN + "-checked", Map.of());
    }

    /** A statement step: its SQL and workgroup from the run's plan, for direct:redshift-statement. */
    @SuppressWarnings("unchecked")
    public void statement(Exchange exchange) {
        String step = exchange.getIn().getHeader(StepSequence.STEP, String.class);
        List<Map<String, String>> plan = (List<Map<String, String>>) current(exchange).context().get(PLAN);
        Map<String, String> planned = plan == null ? null
                : plan.stream().filter(p -> step.equals(p.get("step"))).findFirst().orElse(null);
        if (planned == null) {
            throw new IllegalStateException("step '" + step + "' is not in the run's datashare plan");
        }
        exchange.getIn().setHeader(StatementEngine.SQL, planned.get("sql"));
        exchange.getIn().setHeader(StatementEngine.WORKGROUP, planned.get("workgroup"));
        exchange.getIn().setHeader(StatementEngine.DATABASE, config.database());
        exchange.getIn().setHeader(StatementEngine.AWS_IDS, Map.of("workgroup", planned.get("workgroup")));
    }

    private Run current(Exchange exchange) {
        String runId = exchange.getIn().getHeader(PipelineRunner.RUN_ID, String.class);
        return runs.current(runId).orElseThrow(() -> new IllegalStateException("run " + runId + " is gone"));
    }
}
