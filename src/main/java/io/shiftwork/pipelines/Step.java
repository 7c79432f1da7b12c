package io.shiftwork.pipelines;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** One step of a run: what ran, how long it took, which AWS resources it touched. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Step(String name, RunStatus status, Instant startedAt, Instant finishedAt, Long durationMs,
        Map<String, String> awsIds, Object output, String error) {

    public static Step started(String name, Instant at) {
        return new Step(name, RunStatus.RUNNING, at, null, null, Map.of(), null, null);
    }

    public Step withAwsId(String key, String value) {
        Map<String, String> ids = new LinkedHashMap<>(awsIds == null ? Map.of() : awsIds);
        ids.put(key, value);
        return new Step(name, status, startedAt, finishedAt, durationMs, ids, output, error);
    }

    public Step waiting() {
        return new Step(name, RunStatus.WAITING, startedAt, null, null, awsIds, output, null);
    }

    public Step finished(RunStatus outcome, Instant at, Object out, String err) {
        long ms = Duration.between(startedAt, at).toMillis();
        return new Step(name, outcome, startedAt, at, ms, awsIds, out != null ? out : output, err);
    }
}
