package io.shiftwork.pipelines;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.aws2.sns.Sns2Constants;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Tells the support SNS topic (route {@code support-alert}) about failed runs and other outcomes operators watch. */
@ApplicationScoped
@Named("alerts")
@RegisterForReflection
public class Alerts {

    private static final Logger LOG = Logger.getLogger(Alerts.class);

    private final ProducerTemplate camel;
    private final ObjectMapper json;

    public Alerts(ProducerTemplate camel, ObjectMapper json) {
        this.camel = camel;
        this.json = json;
    }

    public void runFailed(Run run) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("event", "RunFailed");
        message.put("runId", run.runId());
        message.put("pipeline", run.pipeline());
        message.put("error", run.error());
        message.put("status", run.status());
        run.steps().stream().filter(s -> s.status() == RunStatus.FAILED || s.status() == RunStatus.TIMED_OUT).reduce((a, b) -> b).ifPresent(s -> {
            message.put("step", s.name());
            message.put("awsIds", s.awsIds());
        });
        message.put("input", run.parameters());
        message.put("run", "/runs/" + run.runId());
        publish("Shiftwork: " + run.pipeline() + " run " + run.runId() + (run.status() == RunStatus.TIMED_OUT ? " timed out" : " failed"),
                message);
    }

    /**
     * Publishes a JSON message to the support topic. Never throws: an alert that cannot be sent must not hide
     * or replace what it reports.
     */
    public void publish(String subject, Map<String, Object> message) {
        try {
            camel.sendBodyAndHeader("direct:support-alert", json.writeValueAsString(message), Sns2Constants.SUBJECT, subject);
        } catch (JsonProcessingException | RuntimeException e) {
            LOG.errorf(e, "could not publish to the support topic: %s", subject);
        }
    }
}
