package io.shiftwork.pipelines;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.shiftwork.LocalAwsTestResource;
import io.shiftwork.TestTokens;

/** Requests a strict API refuses with a JSON 4xx (each once accepted, or answered 500). */
@QuarkusTest
@QuarkusTestResource(value = LocalAwsTestResource.class, restrictToAnnotatedClass = true)
class StrictInputTest {

    @TestHTTPResource("/")
    URL base;

    private HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base.toString()).resolve(path))
                .header("Authorization", "Bearer " + TestTokens.of("operator"))
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aBodyThatIsNotDeclaredJsonIs415() throws Exception {
        for (String type : new String[] {"text/plain", null, "application/x-www-form-urlencoded"}) {
            HttpResponse<String> r = post("pipelines/smoke/runs", type, "{\"name\":\"x\"}");
            assertEquals(415, r.statusCode(), type + ": " + r.body());
            assertTrue(r.body().contains("\"error\":\"unsupported_media_type\""), r.body());
        }
        assertEquals(202, post("pipelines/smoke/runs", null, null).statusCode(), "no body and no Content-Type: {}");
        assertEquals(202, post("pipelines/smoke/runs", "application/json; charset=UTF-8", "{}").statusCode());
    }

    @Test
    void duplicateKeysTrailingContentAndLoneSurrogatesAre400() {
        for (String body : new String[] {"{\"name\":\"a\",\"name\":\"b\"}", "{\"name\":\"a\"} x", "{\"name\":\"a\"}{}",
                "{\"name\":\"\\ud800\"}", "{\"name\":\"a\\udc00b\"}", "{\"\\ud800\":1}"}) {
            given().contentType(ContentType.JSON).body(body).post("/pipelines/smoke/runs").then()
                    .statusCode(400).body("error", equalTo("malformed_json"));
        }
        given().contentType(ContentType.JSON).body("{\"name\":\"\\ud83d\\ude00\"}").post("/pipelines/smoke/runs")
                .then().statusCode(202);
    }

    @Test
    void aDotDotSegmentNeverPassesAGlobAllowlist() {
        given().contentType(ContentType.JSON).body("{\"prefix\":\"adhoc/../secrets\"}").post("/pipelines/etl-unload-notify/runs")
                .then().statusCode(400).body("error", equalTo("invalid_parameter_value"))
                .body("message", containsString("'..' path segments"));
        assertTrue(ParameterValidator.hasDotSegment("adhoc/./x"));
        assertTrue(ParameterValidator.hasDotSegment("adhoc\\..\\x"));
        assertTrue(!ParameterValidator.hasDotSegment("adhoc/..x/y"));
    }

    @Test
    void aHoldUntilThePastIs400() {
        given().post("/clusters/shiftwork-test/hold?until=2020-01-01T00:00:00Z").then().statusCode(400)
                .body("error", equalTo("invalid_parameter_value")).body("message", containsString("in the future"));
    }

    private HttpResponse<String> postBytes(String contentType, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base.toString()).resolve("pipelines/smoke/runs"))
                .header("Authorization", "Bearer " + TestTokens.of("operator"))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aJsonNullBodyIs400ButAnEmptyOneIsNoParameters() throws Exception {
        for (String body : new String[] {"null", " null ", "[]", "1"}) {
            given().contentType(ContentType.JSON).body(body).post("/pipelines/smoke/runs").then()
                    .statusCode(400).body("error", equalTo("invalid_parameters"));
        }
        assertEquals(202, post("pipelines/smoke/runs", "application/json", "").statusCode(), "empty body: {}");
    }

    @Test
    void aCharsetOtherThanUtf8Is415AndInvalidUtf8Is400() throws Exception {
        for (String charset : new String[] {"ISO-8859-1", "utf-16", "\"windows-1252\""}) {
            HttpResponse<String> r = postBytes("application/json; charset=" + charset, "{}".getBytes(StandardCharsets.UTF_8));
            assertEquals(415, r.statusCode(), charset + ": " + r.body());
            assertTrue(r.body().contains("\"error\":\"unsupported_media_type\""), r.body());
            assertTrue(r.body().contains(charset.replace("\"", "")), "names the charset: " + r.body());
        }
        assertEquals(202, postBytes("application/json; charset=\"utf-8\"", "{}".getBytes(StandardCharsets.UTF_8)).statusCode());
        byte[][] invalid = {
                {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'},
                {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"', '}'},
                {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xc3, '"', '}'}};
        for (byte[] body : invalid) {
            HttpResponse<String> r = postBytes("application/json", body);
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"error\":\"malformed_json\""), r.body());
        }
        assertEquals(202, postBytes("application/json", "{\"name\":\"é😀\"}".getBytes(StandardCharsets.UTF_8)).statusCode());
    }

    @Test
    void anEmptyIdempotencyKeyIs400() throws Exception {
        HttpResponse<String> r = postBytes("application/json", "{}".getBytes(StandardCharsets.UTF_8), "Idempotency-Key", "");
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"error\":\"invalid_idempotency_key\""), r.body());
    }
}
