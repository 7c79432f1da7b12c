package io.shiftwork.aws;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.shiftwork.pipelines.RunStore;

/** Ready only while AWS answers: the runs table is where every run is recorded. */
@Readiness
@ApplicationScoped
public class AwsReadiness implements HealthCheck {

    private final RunStore runs;

    public AwsReadiness(RunStore runs) {
        this.runs = runs;
    }

    @Override
    public HealthCheckResponse call() {
        try {
            return HealthCheckResponse.named("aws").up().withData("runsTable", runs.describeTable()).build();
        } catch (RuntimeException e) {
            // the exception's kind only: /q/health/ready answers anyone, and the message names hosts and ports
            return HealthCheckResponse.named("aws").down().withData("error", e.getClass().getSimpleName()).build();
        }
    }
}
