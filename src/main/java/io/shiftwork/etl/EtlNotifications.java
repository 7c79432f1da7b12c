package io.shiftwork.etl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import org.apache.camel.Exchange;
import org.apache.camel.component.aws2.sns.Sns2Constants;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.shiftwork.pipelines.PipelineRunner;
import io.shiftwork.pipelines.Run;
import io.shiftwork.pipelines.RunStatus;
import io.shiftwork.pipelines.RunStore;
import io.shiftwork.pipelines.Step;

/**
 * The chain's SNS messages: on success the run id, the rows unloaded, where they are and each step's duration;
 * on failure the step that failed and Redshift's error. The body becomes the JSON message, the subject a header.
 */
@ApplicationScoped
@Named("etlNotifications")
@RegisterForReflection
public class EtlNotifications {

    private final RunStore runs;
    private final ObjectMapper json;

    public EtlNotifications(RunStore runs, ObjectMapper json) {
        this.runs = runs;
        this.json = json;
    }

    public void succeeded(Exchange exchange) throws JsonProcessingException {
        Run run = run(exchange);
        Map<String, Object> message = message(run, "EtlChainSucceeded");
        List<Map<String, Object>> unloads = new ArrayList<>();
        long rows = 0;
        for (Step s : run.steps()) {
            String location = s.awsIds() == null ? null : s.awsIds().get("s3Location");
            if (location != null && s.status() == RunStatus.SUCCEEDED) {
                long stepRows = rows(s);
                rows += stepRows;
                unloads.add(Map.of("step", s.name(), "location", location, "rows", stepRows));
            }
        }
        message.put("rows", rows);
        message.put("location", unloads.isEmpty() ? null : unloads.get(unloads.size() - 1).get("location"));
        message.put("unloads", unloads);
        message.put("steps", steps(run));
        send(exchange, "Shiftwork: " + run.pipeline() + " run " + run.runId() + " succeeded", message);
    }

    public void failed(Exchange exchange) throws JsonProcessingException {
        Run run = run(exchange);
        Map<String, Object> message = message(run, "EtlChainFailed");
        run.steps().stream().filter(s -> s.status() == RunStatus.FAILED).findFirst().ifPresent(s -> {
            message.put("failedStep", s.name());
            message.put("statementId", s.awsIds() == null ? null : s.awsIds().get("statementId"));
        });
        message.put("error", run.error());
        message.put("steps", steps(run));
        send(exchange, "Shiftwork: " + run.pipeline() + " run " + run.runId() + " failed", message);
    }

    private Run run(Exchange exchange) {
        String runId = exchange.getIn().getHeader(PipelineRunner.RUN_ID, String.class);
        // as stored (a consistent read), not this replica's copy: another replica may have written the last step
        return runs.find(runId).orElseThrow(() -> new IllegalStateException("run " + runId + " is gone"));
    }

    private static Map<String, Object> message(Run run, String event) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", event);
        m.put("pipeline", run.pipeline());
        m.put("runId", run.runId());
        m.put("trigger", run.trigger());
        m.put("parameters", run.parameters());
        m.put("run", "/runs/" + run.runId());
        return m;
    }

    /** Each step that ran: status, duration and rows; the notification's own step is still running. */
    private static List<Map<String, Object>> steps(Run run) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Step s : run.steps()) {
            if (!s.status().terminal()) {
                continue;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.name());
            m.put("status", s.status().name());
            m.put("durationMs", s.durationMs());
            if (s.output() instanceof Map<?, ?> o && o.get("rows") != null) {
                m.put("rows", o.get("rows"));
            }
            out.add(m);
        }
        return out;
    }

    private static long rows(Step s) {
        return s.output() instanceof Map<?, ?> o && o.get("rows") instanceof Number n ? n.longValue() : 0;
    }

    private void send(Exchange exchange, String subject, Map<String, Object> message) throws JsonProcessingException {
        exchange.getIn().setHeader(Sns2Constants.SUBJECT, subject);
        exchange.getIn().setBody(json.writeValueAsString(message));
    }
}
