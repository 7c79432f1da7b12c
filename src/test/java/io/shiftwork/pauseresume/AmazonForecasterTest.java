package io.shiftwork.pauseresume;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.shiftwork.LocalAwsTestResource;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.forecast.ForecastClient;
import software.amazon.awssdk.services.forecast.model.ResourceInUseException;
import software.amazon.awssdk.services.forecast.model.ResourceNotFoundException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The Amazon Forecast adapter (shiftwork.pause-resume.forecaster=amazon-forecast) through the real AWS SDK
 * clients against {@link FakeAmazonForecast}, an HTTP fake answering in the API reference's JSON shapes —
 * no emulator exists for Forecast — with history from moto's CloudWatch and import files in moto's S3.
 */
@QuarkusTest
@TestProfile(AmazonForecasterTest.WithAmazonForecast.class)
@QuarkusTestResource(value = LocalAwsTestResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = FakeAmazonForecastResource.class, restrictToAnnotatedClass = true)
class AmazonForecasterTest {

    public static class WithAmazonForecast implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("shiftwork.pause-resume.forecaster", "amazon-forecast",
                    "shiftwork.pause-resume.amazon-forecast.role-arn", "arn:aws:iam::123456789012:role/forecast-import",
                    "shiftwork.pause-resume.amazon-forecast.poll-initial", "PT0.01S",
                    "shiftwork.pause-resume.amazon-forecast.poll-max", "PT0.05S",
                    "shiftwork.pause-resume.clusters.forecasted.enabled", "true",
                    "shiftwork.pause-resume.backfill-days", "3");
        }
    }

    @Inject
    CloudWatchClient cloudWatch;
    @Inject
    S3Client s3;
    @Inject
    ForecastClient forecast;

    FakeAmazonForecast fake;

    /** Two days of CPU: busy 10:00-18:00 UTC, idle otherwise, with a one-hour hole. */
    private void seed() {
        CpuSeed.twoDays(cloudWatch, "forecasted", "CPUUtilization", at -> {
            int hour = at.atZone(java.time.ZoneOffset.UTC).getHour();
            return hour >= 10 && hour < 18 ? 70.0 : 2.0;
        });
    }

    private JsonPath plan() {
        String runId = given().contentType(ContentType.JSON).body("{}").post("/pipelines/pause-resume/runs").then()
                .statusCode(202).extract().path("runId");
        await().atMost(Duration.ofSeconds(30)).until(() -> List.of("SUCCEEDED", "FAILED")
                .contains(given().get("/runs/" + runId).path("status")));
        return given().get("/runs/" + runId).jsonPath();
    }

    @Test
    void trainsOnceThenEachPlanReimportsForecastsQueriesAndDeletesWhatThePlanBeforeLeftAndAFailedJobFailsThePlan() {
        fake.calls.clear();
        fake.readS3 = path -> {
            String rest = path.substring("s3://".length());
            return s3.getObjectAsBytes(b -> b.bucket(rest.substring(0, rest.indexOf('/'))).key(rest.substring(rest.indexOf('/') + 1)))
                    .asUtf8String();
        };
        seed();
        JsonPath run = plan();
        assertEquals("SUCCEEDED", run.getString("status"), run.prettify());
        List<Map<String, Object>> windows = run.getList("steps.find { it.name == 'plan-forecasted' }.output.windows");
        assertFalse(windows.isEmpty(), "the idle night forecast by Forecast is planned as a pause");
        for (Map<String, Object> w : windows) {
            int pauseHour = Instant.parse((String) w.get("pauseAt")).atZone(java.time.ZoneOffset.UTC).getHour();
            assertTrue(pauseHour >= 18 || pauseHour < 10, "pauses only outside 10-18 UTC: " + w);
        }
        assertEquals(List.of("CreateDatasetGroup", "CreateDataset", "DescribeDatasetGroup", "UpdateDatasetGroup",
                "CreateDatasetImportJob", "DescribeDatasetImportJob", "DescribeDatasetImportJob", "DescribeDatasetImportJob",
                "CreateAutoPredictor", "DescribeAutoPredictor", "DescribeAutoPredictor", "DescribeAutoPredictor",
                "CreateForecast", "DescribeForecast", "DescribeForecast", "DescribeForecast", "QueryForecast",
                "ListForecasts", "ListDatasetImportJobs"), List.copyOf(fake.calls),
                "training, then prediction, each job polled until ACTIVE, then a look for what earlier plans left");
        assertEquals(List.of(), ours(fake.deleted), "nothing earlier to delete");
        List<String> firstSet = List.of(ours(fake.names("forecast")).get(0), ours(fake.names("dataset-import-job")).get(0));

        String importKey = s3.listObjectsV2(b -> b.bucket("shiftwork-cpu-history").prefix("forecast-import/forecasted/"))
                .contents().get(0).key();
        String[] lines = s3.getObjectAsBytes(b -> b.bucket("shiftwork-cpu-history").key(importKey)).asUtf8String().split("\n");
        assertEquals(2 * 288 - 12, lines.length, "no header, and the hole stays a hole: no zeros");
        assertTrue(lines[0].matches("forecasted,\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2},(2|70)\\.0"), lines[0]);

        fake.calls.clear();
        await().pollDelay(Duration.ofMillis(1100)).until(() -> true); // the next import gets its own name
        assertEquals("SUCCEEDED", plan().getString("status"));
        assertEquals(0, fake.count("UpdateDatasetGroup"), "the group, dataset and predictor are reused");
        assertEquals(1, fake.count("ListDatasetGroups"));
        assertEquals(1, fake.count("ListPredictors"));
        assertEquals(1, fake.count("CreateDatasetImportJob"), "a fresh import: Forecast uses only the latest");
        assertEquals(1, fake.count("CreateForecast"));
        assertOnlyTheNewestPlansResourcesRemain(firstSet);

        fake.failImportsWith = "The timestamp format is invalid";
        await().pollDelay(Duration.ofMillis(1100)).until(() -> true);
        JsonPath failed = plan();
        assertEquals("FAILED", failed.getString("status"));
        assertTrue(failed.getString("steps.find { it.name == 'plan-forecasted' }.error")
                .contains("CREATE_FAILED: The timestamp format is invalid"), failed.prettify());
        assertEquals(2, ours(fake.names("dataset-import-job")).size(), "a failed plan deletes nothing");
        fake.failImportsWith = null;
        List<String> secondSet = List.of(ours(fake.names("forecast")).get(0), ours(fake.names("dataset-import-job")).get(0));
        await().pollDelay(Duration.ofMillis(1100)).until(() -> true);
        assertEquals("SUCCEEDED", plan().getString("status"));
        assertOnlyTheNewestPlansResourcesRemain(secondSet);
        assertEquals(5, ours(fake.deleted).size(), "two forecasts and three import jobs (one CREATE_FAILED) in all: " + fake.deleted);
    }

    private static List<String> ours(List<String> arns) {
        synchronized (arns) {
            return arns.stream().filter(a -> a.contains("shiftwork_forecasted_")).toList();
        }
    }

    /** What the plan before left (its forecast, its import job, its import file, and any failed import) is gone. */
    private void assertOnlyTheNewestPlansResourcesRemain(List<String> before) {
        List<String> forecasts = ours(fake.names("forecast"));
        List<String> imports = ours(fake.names("dataset-import-job"));
        assertEquals(1, forecasts.size(), "only the newest forecast: " + forecasts);
        assertEquals(1, imports.size(), "only the newest import job: " + imports);
        assertFalse(forecasts.contains(before.get(0)) || imports.contains(before.get(1)), "deleted: " + before);
        assertEquals(forecasts.get(0), imports.get(0), "the same plan's pair");
        assertEquals(List.of("shiftwork_forecasted_predictor"), ours(fake.names("predictor")),
                "the predictor is trained once and kept");
        List<String> files = s3.listObjectsV2(b -> b.bucket("shiftwork-cpu-history").prefix("forecast-import/forecasted/"))
                .contents().stream().map(o -> o.key()).toList();
        assertEquals(List.of("forecast-import/forecasted/" + imports.get(0).substring("shiftwork_forecasted_".length()) + ".csv"),
                files, "only the newest import file");
    }

    @Test
    void theFakeRefusesDeletionsAsForecastDoes() {
        String arn = "arn:aws:forecast:us-east-1:123456789012:";
        ResourceNotFoundException missing = assertThrows(ResourceNotFoundException.class,
                () -> forecast.deleteForecast(b -> b.forecastArn(arn + "forecast/nothing_here")));
        assertTrue(missing.getMessage().contains("nothing_here"), missing.getMessage());
        String group = forecast.createDatasetGroup(b -> b.datasetGroupName("probe").domain("CUSTOM")).datasetGroupArn();
        String predictor = forecast.createAutoPredictor(b -> b.predictorName("probe_predictor").forecastHorizon(288)
                .forecastFrequency("5min").dataConfig(d -> d.datasetGroupArn(group))).predictorArn();
        assertThrows(ResourceInUseException.class, () -> forecast.deletePredictor(b -> b.predictorArn(predictor)),
                "CREATE_PENDING: not deletable");
        forecast.describeAutoPredictor(b -> b.predictorArn(predictor));
        assertEquals("CREATE_IN_PROGRESS", forecast.describeAutoPredictor(b -> b.predictorArn(predictor)).status());
        assertThrows(ResourceInUseException.class, () -> forecast.deletePredictor(b -> b.predictorArn(predictor)),
                "CREATE_IN_PROGRESS: not deletable");
        assertEquals("ACTIVE", forecast.describeAutoPredictor(b -> b.predictorArn(predictor)).status());
        String probe = forecast.createForecast(b -> b.forecastName("probe_forecast").predictorArn(predictor)).forecastArn();
        assertThrows(ResourceInUseException.class, () -> forecast.deleteForecast(b -> b.forecastArn(probe)),
                "a forecast still being created");
        ResourceInUseException inUse = assertThrows(ResourceInUseException.class,
                () -> forecast.deletePredictor(b -> b.predictorArn(predictor)), "a predictor with a forecast");
        assertTrue(inUse.getMessage().contains("forecasts"), inUse.getMessage());
        for (int i = 0; i < 3; i++) {
            forecast.describeForecast(b -> b.forecastArn(probe));
        }
        forecast.deleteForecast(b -> b.forecastArn(probe));
        forecast.deletePredictor(b -> b.predictorArn(predictor));
        assertTrue(fake.deleted.containsAll(List.of(probe, predictor)));
        assertThrows(ResourceNotFoundException.class, () -> forecast.deleteForecast(b -> b.forecastArn(probe)), "gone");
    }
}
