package io.shiftwork.etl;

import static io.restassured.RestAssured.given;
import static io.shiftwork.etl.EtlFixture.BUCKET;
import static io.shiftwork.etl.EtlFixture.PREFIX;
import static io.shiftwork.etl.EtlFixture.awaitMessage;
import static io.shiftwork.etl.EtlFixture.awaitRun;
import static io.shiftwork.etl.EtlFixture.read;
import static io.shiftwork.etl.EtlFixture.setup;
import static io.shiftwork.etl.EtlFixture.subscribe;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.shiftwork.LocalAwsTestResource;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * An operator's edit of routes/etl-unload-notify.camel.yaml, nothing else: the service loads a modified copy
 * of the flow (shiftwork.routes.dir) with a VACUUM step and a second UNLOAD added and the UNLOADs reordered,
 * and the schedule switched on every 10 s. The scheduled run goes through the new steps in the new order.
 */
@QuarkusTest
@TestProfile(EtlModifiedFlowTest.ModifiedFlow.class)
@QuarkusTestResource(value = LocalAwsTestResource.class, restrictToAnnotatedClass = true)
class EtlModifiedFlowTest {

    static final List<String> STEPS = List.of("run-elt-process", "vacuum-trips", "unload-busiest-days",
            "unload-volume-analysis", "notify-success");

    public static class ModifiedFlow implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path dir = Files.createDirectories(Path.of("target", "modified-routes"));
                try (Stream<Path> routes = Files.list(Path.of("routes"))) {
                    for (Path route : routes.toList()) {
                        Files.copy(route, dir.resolve(route.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                Path flow = dir.resolve("etl-unload-notify.camel.yaml");
                String yaml = Files.readString(flow);
                String original = """
                                      - name: unload-volume-analysis
                                        kind: route
                                        route: direct:unload-volume-analysis
                        """;
                if (!yaml.contains(original)) {
                    throw new IllegalStateException("the flow's step list changed: update this test");
                }
                yaml = yaml.replace(original, """
                                      - name: vacuum-trips
                                        kind: sql
                                        sql: VACUUM public.nyc_yellow_taxi
                                      - kind: route
                                        route: direct:unload-busiest-days
                        """ + original);
                yaml += """
                        - route:
                            id: unload-busiest-days
                            from:
                              uri: direct:unload-busiest-days
                              steps:
                                - setHeader:
                                    name: shiftworkUnloadQuery
                                    constant: "SELECT pickup_date, trips FROM public.nyc_yellow_taxi_volume_analysis ORDER BY trips DESC, pickup_date LIMIT 5"
                                - to:
                                    uri: direct:redshift-unload
                        """;
                Files.writeString(flow, yaml);
                return Map.of("shiftwork.routes.dir", "file:" + dir.toAbsolutePath(),
                        "shiftwork.etl.scheduled", "true",
                        "shiftwork.etl.schedule", "0/10 * * * * ?");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Inject
    S3Client s3;
    @Inject
    SnsClient sns;
    @Inject
    SqsClient sqs;

    @Test
    void theScheduledRunTakesTheAddedAndReorderedStepsInOrder() throws Exception {
        setup();
        String queue = subscribe(sns, sqs, "etl-modified");
        Instant ready = Instant.now();
        String[] runId = new String[1];
        await().atMost(Duration.ofSeconds(25)).pollInterval(Duration.ofMillis(250)).until(() -> {
            List<Map<String, Object>> runs = given().get("/pipelines/etl-unload-notify/runs").jsonPath().getList("$");
            // a tick while a run is going is recorded SKIPPED (the chain runs one at a time)
            runs.stream().filter(r -> "schedule".equals(r.get("trigger")) && !"SKIPPED".equals(r.get("status"))
                    && Instant.parse((String) r.get("createdAt")).isAfter(ready)).findFirst()
                    .ifPresent(r -> runId[0] = (String) r.get("runId"));
            return runId[0] != null;
        });
        JsonPath run = awaitRun(runId[0], "SUCCEEDED");
        assertEquals(STEPS, run.getList("steps.name"));
        for (int i = 1; i < STEPS.size(); i++) {
            Instant previousEnd = Instant.parse(run.getString("steps[" + (i - 1) + "].finishedAt"));
            Instant started = Instant.parse(run.getString("steps[" + i + "].startedAt"));
            assertTrue(!started.isBefore(previousEnd), STEPS.get(i) + " started only after " + STEPS.get(i - 1) + " finished");
        }
        String folder = PREFIX + "/" + runId[0] + "/";
        assertEquals(1 + 5, read(s3, BUCKET, folder + "unload-busiest-days_000").split("\n").length);
        assertEquals(1 + TaxiSample.MONTH.lengthOfMonth(), read(s3, BUCKET, folder + "unload-volume-analysis_000").split("\n").length);

        JsonNode message = awaitMessage(sqs, queue, runId[0]);
        assertEquals(5 + TaxiSample.MONTH.lengthOfMonth(), message.get("rows").asInt(), "rows of both UNLOADs");
        assertEquals(2, message.get("unloads").size());
        assertEquals("unload-busiest-days", message.at("/unloads/0/step").asText());
        assertEquals("schedule", message.get("trigger").asText());
    }
}
