package io.shiftwork.statements;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

import io.shiftwork.pipelines.PipelineRunner;

/**
 * A step that reads its statement's result ({@code results: direct:<route>} in its declaration): every page of
 * GetStatementResult, reconciled with TotalNumRows, goes to that route as one body {@code {columns, rows,
 * totalNumRows}} (rows as lists of values in column order). A short read or a failing route fails the step.
 */
@ApplicationScoped
public class StepResults {

    private final StatementClient client;
    private final ProducerTemplate camel;

    public StepResults(StatementClient client, ProducerTemplate camel) {
        this.client = client;
        this.camel = camel;
    }

    /** Reads and delivers the result; returns what the step records of it (rows read, pages). */
    public Map<String, Object> deliver(StepDefinition step, String runId, String pipeline, String statementId) {
        StatementClient.Result result = client.readResult(statementId);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("columns", result.columns());
        body.put("rows", result.rows());
        body.put("totalNumRows", result.totalNumRows());
        Exchange done = camel.send(step.results(), ex -> {
            ex.getIn().setHeader(PipelineRunner.RUN_ID, runId);
            ex.getIn().setHeader(PipelineRunner.PIPELINE, pipeline);
            ex.getIn().setHeader(StepSequence.STEP, step.name());
            ex.getIn().setBody(body);
        });
        if (done.getException() != null) {
            throw new IllegalStateException("results route " + step.results() + " failed: "
                    + PipelineRunner.message(done.getException()), done.getException());
        }
        Map<String, Object> recorded = new LinkedHashMap<>();
        recorded.put("resultRows", (long) result.rows().size());
        recorded.put("resultPages", result.pages());
        return recorded;
    }

}
