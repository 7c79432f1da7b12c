package io.shiftwork.etl;

import static io.restassured.RestAssured.given;
import static io.shiftwork.etl.EtlFixture.BUCKET;
import static io.shiftwork.etl.EtlFixture.PREFIX;
import static io.shiftwork.etl.EtlFixture.awaitMessage;
import static io.shiftwork.etl.EtlFixture.awaitRun;
import static io.shiftwork.etl.EtlFixture.objects;
import static io.shiftwork.etl.EtlFixture.read;
import static io.shiftwork.etl.EtlFixture.setup;
import static io.shiftwork.etl.EtlFixture.start;
import static io.shiftwork.etl.EtlFixture.subscribe;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.shiftwork.LocalAwsTestResource;
import io.shiftwork.RedshiftSql;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * ETL → UNLOAD → notify end to end against moto (S3, SNS → SQS, EventBridge, DynamoDB) and the local Redshift
 * (the procedure's COPY reads moto's S3): what ends up in S3 and on the notification topic.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalAwsTestResource.class, restrictToAnnotatedClass = true)
class EtlUnloadNotifyTest {

    /** Days in the sample month: the analysis has one row per day. */
    private static final int DAYS = TaxiSample.MONTH.lengthOfMonth();

    @Inject
    S3Client s3;
    @Inject
    SnsClient sns;
    @Inject
    SqsClient sqs;
    @Inject
    RedshiftDataClient data;

    private RedshiftSql redshift() {
        return new RedshiftSql(data, "shiftwork-test");
    }

    @Test
    void setupRunsOneStatementPerStepIsIdempotentAndNeverStartsTheUnload() {
        List<String> chainRuns = given().get("/pipelines/etl-unload-notify/runs").jsonPath().getList("runId");
        JsonPath first = setup();
        JsonPath second = setup();
        assertEquals(List.of("01-nyc_yellow_taxi", "02-drop-nyc_yellow_taxi_volume_analysis",
                "03-nyc_yellow_taxi_volume_analysis", "04-execute_elt_process"), second.getList("steps.name"));
        assertEquals(List.of("SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED"), first.getList("steps.status"));
        String statementId = second.getString("steps[0].awsIds.statementId");
        assertTrue(data.describeStatement(b -> b.id(statementId)).queryString().startsWith("-- Raw NYC"),
                "one file, one ExecuteStatement");
        assertEquals(1L, redshift().query("select count(*) from pg_proc where proname = 'execute_elt_process'")
                .get(0).get(0).longValue());
        assertEquals(chainRuns, given().get("/pipelines/etl-unload-notify/runs").jsonPath().getList("runId"),
                "setup completions resumed only the setup runs");
    }

    @Test
    void theChainLoadsUnloadsTheAnalysisAndNotifiesWithRowsLocationAndDurations() throws Exception {
        setup();
        String queue = subscribe(sns, sqs, "etl-ok-" + UUID.randomUUID().toString().substring(0, 8));
        String runId = start("etl-unload-notify", "{}");
        JsonPath run = awaitRun(runId, "SUCCEEDED");
        assertEquals(List.of("run-elt-process", "unload-volume-analysis", "notify-success"), run.getList("steps.name"));

        String location = "s3://" + BUCKET + "/" + PREFIX + "/" + runId + "/unload-volume-analysis_";
        assertEquals(location, run.getString("steps[1].awsIds.s3Location"));
        List<S3Object> files = objects(s3, BUCKET, PREFIX + "/" + runId + "/");
        assertEquals(List.of(PREFIX + "/" + runId + "/unload-volume-analysis_000"), files.stream().map(S3Object::key).toList());
        String[] lines = read(s3, BUCKET, files.get(0).key()).split("\n");
        assertEquals(1 + DAYS, lines.length, "a header and one row per day");
        assertTrue(lines[0].startsWith("pickup_date,trips,"), lines[0]);
        assertTrue(lines[1].startsWith("2024-01-01,"), lines[1]);
        assertEquals(TaxiSample.ROWS, redshift().query("select sum(trips)::bigint from public.nyc_yellow_taxi_volume_analysis")
                .get(0).get(0).longValue(), "COPY loaded every trip, the view was refreshed");

        JsonNode message = awaitMessage(sqs, queue, runId);
        assertEquals("EtlChainSucceeded", message.get("event").asText());
        assertEquals(DAYS, message.get("rows").asInt());
        assertEquals(location, message.get("location").asText());
        assertEquals("run-elt-process", message.at("/steps/0/name").asText());
        assertTrue(message.at("/steps/0/durationMs").asLong() >= 0);
        assertEquals(DAYS, message.at("/steps/1/rows").asInt());
        String callId = run.getString("steps[0].awsIds.statementId");
        assertEquals("CALL public.execute_elt_process(:source, :iam_role)",
                data.describeStatement(b -> b.id(callId)).queryString(), "source and role went in as parameters");
    }

    @Test
    void aRunOverridesSourcePrefixAndFormat() {
        setup();
        s3.putObject(b -> b.bucket(BUCKET).key("other-raw/trips.csv"),
                RequestBody.fromString(TaxiSample.csv(40, java.time.YearMonth.of(2024, 2), 7)));
        String runId = start("etl-unload-notify",
                "{\"source\": \"s3://shiftwork-etl/other-raw/\", \"prefix\": \"adhoc/json\", \"format\": \"JSON\"}");
        awaitRun(runId, "SUCCEEDED");
        String key = "adhoc/json/" + runId + "/unload-volume-analysis_000";
        String[] lines = read(s3, BUCKET, key).split("\n");
        assertEquals(29, lines.length, "February 2024 has 29 days, 40 trips cover them all");
        assertTrue(lines[0].startsWith("{\"pickup_date\":\"2024-02-01\""), lines[0]);
    }

    @Test
    void aBadCopyStopsTheChainBeforeTheUnloadAndSendsTheFailureMessage() throws Exception {
        setup();
        redshift().run("CALL public.execute_elt_process('s3://shiftwork-etl/nyc_yellow_taxi_raw/', 'default')");
        String before = redshift().query("select count(*) from public.nyc_yellow_taxi").get(0).get(0).longValue() + "";
        s3.putObject(b -> b.bucket(BUCKET).key("bad-raw/trips.csv"), RequestBody.fromString(
                TaxiSample.HEADER + "\n1,2024-01-01 10:00:00,2024-01-01 10:20:00,two,1.5,1,1,1,1,9.5,0,12.5\n"));
        String queue = subscribe(sns, sqs, "etl-bad-" + UUID.randomUUID().toString().substring(0, 8));
        String runId = start("etl-unload-notify", "{\"source\": \"s3://shiftwork-etl/bad-raw/\"}");
        JsonPath run = awaitRun(runId, "FAILED");
        assertEquals(List.of("run-elt-process"), run.getList("steps.name"), "no UNLOAD, no success notification");
        assertTrue(run.getString("error").contains("invalid input syntax"), run.getString("error"));
        assertTrue(objects(s3, BUCKET, PREFIX + "/" + runId).isEmpty(), "nothing unloaded");
        assertEquals(before, redshift().query("select count(*) from public.nyc_yellow_taxi").get(0).get(0).longValue() + "",
                "the failed reload rolled back: the old trips are still there");

        JsonNode message = awaitMessage(sqs, queue, runId);
        assertEquals("EtlChainFailed", message.get("event").asText());
        assertEquals("run-elt-process", message.get("failedStep").asText());
        assertTrue(message.get("error").asText().contains("invalid input syntax"), message.toString());
        assertNull(message.get("location"));

        String missing = start("etl-unload-notify", "{\"source\": \"s3://shiftwork-etl/no-such-prefix/\"}");
        JsonPath gone = awaitRun(missing, "FAILED");
        assertTrue(gone.getString("error").contains("The specified S3 prefix 'no-such-prefix/' does not exist"),
                gone.getString("error"));
        assertFalse(gone.getList("steps.name").contains("unload-volume-analysis"));
    }

    @Test
    void badOverridesAreRejectedNamingTheParameterAndNothingIsStored() {
        int runsBefore = given().get("/pipelines/etl-unload-notify/runs").jsonPath().getList("runId").size();
        for (String[] bad : new String[][] {
                { "{\"format\": \"XML\"}", "format" },
                { "{\"source\": \"https://example.com/x\"}", "source" },
                { "{\"prefix\": \"a'; drop table x; --\"}", "prefix" },
                { "{\"bucket\": \"Not_A_Bucket\"}", "bucket" },
                { "{\"iam_role\": \"arn:aws:iam::1:role/x' || 'y\"}", "iam_role" } }) {
            given().contentType(ContentType.JSON).body(bad[0]).post("/pipelines/etl-unload-notify/runs")
                    .then().statusCode(400).body("message", containsString(bad[1]));
        }
        assertEquals(runsBefore, given().get("/pipelines/etl-unload-notify/runs").jsonPath().getList("runId").size());
    }

    @Test
    void overridesOutsideTheConfiguredAllowlistsAreRefusedAndNothingIsStored() {
        int runsBefore = given().get("/pipelines/etl-unload-notify/runs").jsonPath().getList("runId").size();
        for (String[] refused : new String[][] {
                { "{\"source\": \"s3://someone-elses-bucket/trips/\"}", "source", "shiftwork.etl.allowed-sources" },
                { "{\"bucket\": \"exfiltration-bucket\"}", "bucket", "shiftwork.etl.allowed-buckets" },
                { "{\"prefix\": \"elsewhere/x\"}", "prefix", "shiftwork.etl.allowed-prefixes" },
                { "{\"iam_role\": \"arn:aws:iam::123456789012:role/admin\"}", "iam_role", "shiftwork.etl.allowed-iam-roles" } }) {
            given().contentType(ContentType.JSON).body(refused[0]).post("/pipelines/etl-unload-notify/runs")
                    .then().statusCode(403).body("error", org.hamcrest.Matchers.equalTo("parameter_not_allowed"))
                    .body("message", containsString("'" + refused[1] + "'")).body("message", containsString(refused[2]));
        }
        assertEquals(runsBefore, given().get("/pipelines/etl-unload-notify/runs").jsonPath().getList("runId").size());
    }

    /** Injected by LocalAwsTestResource. */
    io.shiftwork.Emulators emulators;
    @Inject
    io.shiftwork.pipelines.ScheduledRuns schedules;
    @Inject
    org.apache.camel.CamelContext camel;

    @Test
    void oneRunAtATimeASecondHttpStartIs409AndACronFireMeanwhileIsSkipped() {
        setup();
        emulators.fault("delay", "CALL public\\.execute_elt_process", null, 4.0);
        String first = start("etl-unload-notify", "{}");

        given().contentType(ContentType.JSON).header("Idempotency-Key", "second-" + first).body("{}")
                .post("/pipelines/etl-unload-notify/runs").then().statusCode(409)
                .body("error", org.hamcrest.Matchers.equalTo("run_in_progress"))
                .body("runningRunId", org.hamcrest.Matchers.equalTo(first))
                .body("message", containsString("run " + first));

        org.apache.camel.Exchange fire = new org.apache.camel.support.DefaultExchange(camel);
        fire.getIn().setHeader(io.shiftwork.pipelines.PipelineRunner.PIPELINE, "etl-unload-notify");
        io.shiftwork.pipelines.Run skipped = schedules.fire(fire);
        JsonPath s = given().get("/runs/" + skipped.runId()).then().statusCode(200).extract().jsonPath();
        assertEquals("SKIPPED", s.getString("status"));
        assertTrue(s.getString("error").contains("run " + first), s.getString("error"));
        assertEquals("schedule", s.getString("startedBy.trigger"));
        assertEquals("shiftwork", s.getString("startedBy.principal"));
        assertEquals(List.of(), s.getList("steps"), "a skipped run ran nothing");

        JsonPath done = awaitRun(first, "SUCCEEDED");
        assertEquals("http", done.getString("startedBy.trigger"));
        assertEquals(io.shiftwork.TestTokens.DEFAULT_USER, done.getString("startedBy.principal"), "the signed-in caller");
        // the lock went with the run: the refused retry (its key was not kept) now starts
        String next = given().contentType(ContentType.JSON).header("Idempotency-Key", "second-" + first).body("{}")
                .post("/pipelines/etl-unload-notify/runs").then().statusCode(202).extract().path("runId");
        awaitRun(next, "SUCCEEDED");
        given().get("/pipelines/etl-unload-notify/runs").then().statusCode(200)
                .body("find { it.runId == '" + skipped.runId() + "' }.status", org.hamcrest.Matchers.equalTo("SKIPPED"));
    }

    @Test
    void twoStartsRacingForTheChainStartOneAndRefuseTheOther() throws Exception {
        setup();
        emulators.fault("delay", "CALL public\\.execute_elt_process", null, 3.0);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<io.restassured.response.Response>> answers = new java.util.ArrayList<>();
            for (int n = 0; n < 4; n++) {
                answers.add(pool.submit(() -> given().contentType(ContentType.JSON).body("{}")
                        .post("/pipelines/etl-unload-notify/runs").then().extract().response()));
            }
            List<Integer> codes = new java.util.ArrayList<>();
            String started = null;
            for (java.util.concurrent.Future<io.restassured.response.Response> a : answers) {
                io.restassured.response.Response r = a.get(60, java.util.concurrent.TimeUnit.SECONDS);
                codes.add(r.statusCode());
                if (r.statusCode() == 202) {
                    started = r.path("runId");
                }
            }
            assertEquals(List.of(202, 409, 409, 409), codes.stream().sorted().toList(), "one start wins the lock");
            awaitRun(started, "SUCCEEDED");
        } finally {
            pool.shutdownNow();
        }
    }
}
