package io.shiftwork.auth;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.shiftwork.LocalAwsTestResource;
import io.shiftwork.TestTokens;
import io.shiftwork.local.LocalCognito;

/**
 * Every operation of the OpenAPI document ({@code /q/openapi}) called as every role — no token, viewer, reader,
 * operator, admin — with real access tokens of the local user pool, and the answer held to the role the
 * operation takes: below it 401 (no token) or 403 (a token without the role), at or above it anything else (the
 * call passed sign-in and roles; a business 4xx such as an unknown cluster is fine). The role an operation takes
 * is the table below; an operation the document lists and the table does not fails the test, so a new endpoint
 * is tested as soon as it exists. {@code POST /pipelines/{name}/runs} is expanded to every pipeline, each with the
 * role GET /pipelines names for it. Invalid, expired, foreign and ID tokens are 401 on every operation.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalAwsTestResource.class, restrictToAnnotatedClass = true)
class ApiRolesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CALLERS = List.of("none", "viewer", "reader", "operator", "admin");

    /** The role each operation of the API takes: GETs viewer, the rest operator, unless listed here. */
    static String requiredRole(String method, String path) {
        return switch (method + " " + path) {
            case "POST /pipelines/{name}/runs" -> throw new IllegalArgumentException("per pipeline");
            case "POST /queries", "GET /queries/{id}", "DELETE /queries/{id}" -> Roles.READER;
            default -> method.equals("GET") ? Roles.VIEWER : Roles.OPERATOR;
        };
    }

    /** What a caller holding these roles gets from an operation that takes {@code role}. */
    static Set<Integer> denial(String caller, String role) {
        if (caller.equals("none")) {
            return Set.of(401);
        }
        Set<String> held = Roles.of(Set.of(caller), Map.of(caller, List.of(caller)));
        return role == null || !held.contains(role) ? Set.of(403) : Set.of();
    }

    record Call(String method, String template, String path, String body, String role) {
        @Override
        public String toString() {
            return method + " " + path + (body == null ? "" : " " + body) + " (takes " + role + ")";
        }
    }

    List<Call> calls;
    String runId;

    @BeforeEach
    void operations() throws Exception {
        runId = given().contentType(ContentType.JSON).body("{}").post("/pipelines/smoke/runs").then().statusCode(202)
                .extract().path("runId");
        JsonNode openapi = JSON.readTree(given().accept("application/json").get("/q/openapi?format=json").then()
                .statusCode(200).extract().asString());
        JsonNode pipelines = JSON.readTree(given().get("/pipelines").then().statusCode(200).extract().asString());
        calls = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> paths = openapi.path("paths").fields();
        while (paths.hasNext()) {
            Map.Entry<String, JsonNode> path = paths.next();
            Iterator<String> methods = path.getValue().fieldNames();
            while (methods.hasNext()) {
                String method = methods.next().toUpperCase();
                if (!Set.of("GET", "POST", "PUT", "DELETE", "PATCH").contains(method)) {
                    continue;
                }
                String template = path.getKey();
                if (method.equals("POST") && template.equals("/pipelines/{name}/runs")) {
                    for (JsonNode p : pipelines) {
                        // an unknown parameter: a caller who may start it gets 400, never a started run
                        calls.add(new Call(method, template, "/pipelines/" + p.get("name").asText() + "/runs",
                                "{\"notAParameter\":1}", p.path("role").isNull() ? null : p.path("role").asText()));
                    }
                    continue;
                }
                String concrete = template.replace("{name}", "smoke").replace("{id}", template.startsWith("/runs") ? runId
                        : "no-such-cluster");
                calls.add(new Call(method, template, concrete, null, requiredRole(method, template)));
            }
        }
        assertTrue(calls.size() >= 12, "operations of /q/openapi: " + calls);
    }

    private static RequestSpecification as(String caller) {
        RequestSpecification r = given();
        return caller.equals("none") ? r.filter(TestTokens.anonymous()) : r.header(TestTokens.bearer(caller));
    }

    private static Response send(RequestSpecification r, Call call) {
        if (call.body() != null) {
            r = r.contentType(ContentType.JSON).body(call.body());
        }
        return r.request(call.method(), call.path());
    }

    @Test
    void everyOperationAnswersEveryRoleAsItsRoleSays() {
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (Call call : calls) {
            for (String caller : CALLERS) {
                Response r = send(as(caller), call);
                Set<Integer> denied = denial(caller, call.role());
                int status = r.statusCode();
                boolean ok = denied.isEmpty() ? status != 401 && status != 403 && status < 500 : denied.contains(status);
                if (!ok) {
                    wrong.add(caller + ": " + call + " -> " + status + " " + r.asString());
                } else if (!denied.isEmpty()) {
                    // 401 and 403 are JSON like every other error
                    String error = field(r, "error");
                    // a record pipeline nobody may start says why: not_startable
                    boolean named = (status == 401 ? "unauthorized" : "forbidden").equals(error)
                            || status == 403 && call.role() == null && "not_startable".equals(error);
                    if (!named || field(r, "message") == null) {
                        wrong.add(caller + ": " + call + " -> " + status + " not the JSON error: " + r.asString());
                    } else if (status == 403) {
                        // the 403 names the role the operation takes (a pipeline's own role for its start), and the
                        // caller's roles
                        String message = field(r, "message");
                        boolean says = call.role() == null ? message.contains("records what the service did")
                                : message.contains("takes the role '" + call.role() + "'");
                        boolean roles = "not_startable".equals(error) || message.contains("your roles: " + caller);
                        if (!says || !roles || message.contains("GET /pipelines")) {
                            wrong.add(caller + ": " + call + " -> 403 not naming the role it takes: " + message);
                        }
                    }
                }
                checked++;
            }
        }
        assertTrue(wrong.isEmpty(), wrong.size() + " of " + checked + " calls answered against their role:\n"
                + String.join("\n", wrong));
        System.out.printf("ApiRolesTest: %d operations x %d callers = %d calls as their roles say%n", calls.size(),
                CALLERS.size(), checked);
    }

    @Test
    void theOperatorStartsARunAndTheViewerSeesItButMayNot() {
        String started = given().header(TestTokens.bearer("operator")).contentType(ContentType.JSON).body("{\"name\":\"ops\"}")
                .post("/pipelines/smoke/runs").then().statusCode(202).extract().path("runId");
        given().header(TestTokens.bearer("viewer")).get("/runs/" + started).then().statusCode(200)
                .body("startedBy.principal", equalTo("operator"))
                .body("startedBy.roles", equalTo(List.of("operator", "viewer")));
        given().header(TestTokens.bearer("viewer")).contentType(ContentType.JSON).body("{}").post("/pipelines/smoke/runs")
                .then().statusCode(403).body("error", equalTo("forbidden"));
    }

    @Test
    void getPipelinesSaysWhichPipelinesTheCallerMayStart() {
        Map<String, Map<String, Boolean>> mayStart = new LinkedHashMap<>();
        for (String caller : List.of("viewer", "reader", "operator", "admin")) {
            List<Map<String, Object>> pipelines = given().header(TestTokens.bearer(caller)).get("/pipelines").then()
                    .statusCode(200).extract().jsonPath().getList("$");
            Map<String, Boolean> m = new LinkedHashMap<>();
            pipelines.forEach(p -> m.put((String) p.get("name"), (Boolean) p.get("mayStart")));
            mayStart.put(caller, m);
        }
        assertTrue(mayStart.get("viewer").values().stream().noneMatch(b -> b), mayStart.toString());
        assertTrue(mayStart.get("reader").values().stream().noneMatch(b -> b), mayStart.toString());
        assertEquals(true, mayStart.get("operator").get("smoke"));
        assertEquals(false, mayStart.get("operator").get("snapshot-drill"), "a drill grants data and costs money: admin");
        assertEquals(false, mayStart.get("operator").get("etl-setup"), "a migration: admin");
        assertEquals(false, mayStart.get("operator").get("migration"), "overwrites a Serverless namespace: admin");
        assertEquals(true, mayStart.get("admin").get("migration"));
        assertEquals(true, mayStart.get("admin").get("snapshot-drill"));
        assertEquals(false, mayStart.get("admin").get("cluster-pause"), "a record pipeline: nobody");
    }

    @Test
    void invalidExpiredForeignAndIdTokensAre401OnEveryOperation() throws Exception {
        Map<String, String> config = LocalAwsTestResource.currentConfig();
        Map<String, String> cognito = TestTokens.cognito();
        java.net.URI moto = java.net.URI.create(cognito.get("endpoint"));
        String good = TestTokens.of("admin");
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("garbage", "not-a-jwt");
        bad.put("tampered signature", good.substring(0, good.length() - 4) + (good.endsWith("AAAA") ? "BBBB" : "AAAA"));
        bad.put("tampered claims", withClaims(good, c -> c.putArray("cognito:groups").add("admin").add("operator")
                .add("forged")));
        bad.put("expired", signed(good, c -> c.put("exp", Instant.now().minusSeconds(60).getEpochSecond())
                .put("iat", Instant.now().minusSeconds(3660).getEpochSecond())));
        bad.put("wrong issuer (another pool, signed by moto)", LocalCognito.create(moto, "us-east-1", "shiftwork-foreign")
                .accessToken("admin"));
        bad.put("id token", idToken(moto, cognito.get("clientId"), "admin", config.get("shiftwork.local.cognito.passwords.admin")));
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, String> token : bad.entrySet()) {
            for (Call call : calls) {
                Response r = send(given().header("Authorization", "Bearer " + token.getValue()), call);
                if (r.statusCode() != 401 || !"unauthorized".equals(field(r, "error"))) {
                    wrong.add(token.getKey() + ": " + call + " -> " + r.statusCode() + " " + r.asString());
                }
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
        // the same forged-but-valid-looking claims with moto's key and the right issuer pass: the check is the key
        given().header("Authorization", "Bearer " + signed(good, c -> { })).get("/pipelines").then().statusCode(200);
    }

    @Test
    void aSignedInUserWhoseGroupsNoRoleNamesMayDoNothing() {
        Map<String, String> cognito = TestTokens.cognito();
        LocalCognito pool = LocalCognito.existing(java.net.URI.create(cognito.get("endpoint")), cognito.get("poolId"),
                cognito.get("clientId"));
        String token = pool.signedInUser("stranger-" + System.nanoTime(), "strangers");
        for (String path : List.of("/pipelines", "/runs/" + runId, "/q/openapi")) {
            given().header("Authorization", "Bearer " + token).get(path).then().statusCode(403)
                    .contentType(ContentType.JSON).body("error", equalTo("forbidden"))
                    .body("message", org.hamcrest.Matchers.containsString("your roles: none;"))
                    .body("message", org.hamcrest.Matchers.containsString("GET " + path + " takes the role 'viewer'"));
        }
        // a 403 names the caller's roles, never every role the service has
        given().header(TestTokens.bearer("viewer")).post("/runs/" + runId + "/cancel").then().statusCode(403)
                .body("message", org.hamcrest.Matchers.containsString("your roles: viewer;"))
                .body("message", org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("admin")));
        given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON).body("{}")
                .post("/pipelines/smoke/runs").then().statusCode(403).body("error", equalTo("forbidden"));
    }

    @Test
    void anAccessTokenOfAnotherAppClientOfThePoolIs401() throws Exception {
        Map<String, String> cognito = TestTokens.cognito();
        java.net.URI moto = java.net.URI.create(cognito.get("endpoint"));
        String other = cognitoCall(moto, "CreateUserPoolClient", Map.of("UserPoolId", cognito.get("poolId"),
                "ClientName", "another-app-" + System.nanoTime(), "ExplicitAuthFlows",
                List.of("ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"))).path("UserPoolClient").path("ClientId").asText();
        String password = LocalAwsTestResource.currentConfig().get("shiftwork.local.cognito.passwords.admin");
        String foreign = LocalCognito.signIn(moto, other, "admin", password);
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(foreign.split("\\.")[1]));
        assertEquals(other, claims.path("client_id").asText(), "a real token of the second app client");
        for (String path : List.of("/pipelines", "/runs/" + runId)) {
            given().header("Authorization", "Bearer " + foreign).get(path).then().statusCode(401)
                    .contentType(ContentType.JSON).body("error", equalTo("unauthorized"));
        }
        given().header("Authorization", "Bearer " + foreign).contentType(ContentType.JSON).body("{}")
                .post("/pipelines/smoke/runs").then().statusCode(401).body("error", equalTo("unauthorized"));
        // the same user through the service's own app client passes
        given().header("Authorization", "Bearer " + LocalCognito.signIn(moto, cognito.get("clientId"), "admin", password))
                .get("/pipelines").then().statusCode(200);
    }

    /**
     * A machine client's token (Cognito's client-credentials grant: {@code sub} and {@code client_id}, no
     * {@code username}) is its client id, and its Idempotency-Keys are its own. moto 5.2.1's cognito-idp has no
     * {@code /oauth2/token} endpoint and writes {@code username} into every token it issues, so there is no real way
     * to get one from it: the token is forged from the operator's real token (username removed, sub replaced) and
     * signed again with moto's signing key, whose private half moto ships in its package (see {@link #signed}).
     */
    @Test
    void aMachineClientIsItsClientIdAndItsIdempotencyKeysAreItsOwn() throws Exception {
        String clientId = TestTokens.cognito().get("clientId");
        String machine = signed(TestTokens.of("operator"), c -> {
            c.remove("username");
            c.put("sub", java.util.UUID.randomUUID().toString());
        });
        String key = "nightly-" + System.nanoTime();
        String a = given().header("Authorization", "Bearer " + machine).header("Idempotency-Key", key)
                .contentType(ContentType.JSON).body("{}").post("/pipelines/smoke/runs").then().statusCode(202)
                .extract().path("runId");
        given().get("/runs/" + a).then().statusCode(200).body("startedBy.principal", equalTo(clientId));
        // the same key from another caller (a user) with another body: a run of its own, never a 422 naming run a
        Response b = given().header(TestTokens.bearer("operator")).header("Idempotency-Key", key)
                .contentType(ContentType.JSON).body("{\"name\":\"other\"}").post("/pipelines/smoke/runs");
        assertEquals(202, b.statusCode(), b.asString());
        assertTrue(!b.asString().contains(a), b.asString());
        given().get("/runs/" + b.path("runId")).then().statusCode(200).body("startedBy.principal", equalTo("operator"));
        // a second machine token of the same client (another sub) is the same principal: the key replays run a
        given().header("Authorization", "Bearer " + signed(machine, c -> c.put("sub", "another")))
                .header("Idempotency-Key", key).contentType(ContentType.JSON).body("{}").post("/pipelines/smoke/runs")
                .then().statusCode(202).body("runId", equalTo(a));
        // a token naming nobody (no username, client_id or sub) is 401
        given().header("Authorization", "Bearer " + signed(machine, c -> {
            c.remove("client_id");
            c.remove("sub");
        })).get("/pipelines").then().statusCode(401).body("error", equalTo("unauthorized"));
    }

    private static JsonNode cognitoCall(java.net.URI moto, String action, Map<String, Object> request) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(moto.resolve("/")).header("Content-Type", "application/x-amz-json-1.1")
                        .header("X-Amz-Target", "AWSCognitoIdentityProviderService." + action)
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    @Test
    void healthAnswersWithoutATokenAndEverythingElseOfQuarkusWantsOne() {
        given().filter(TestTokens.anonymous()).get("/q/health/ready").then().statusCode(200);
        given().filter(TestTokens.anonymous()).get("/q/health").then().statusCode(200);
        for (String path : List.of("/q/openapi", "/q/metrics")) {
            given().filter(TestTokens.anonymous()).get(path).then().statusCode(401).body("error", equalTo("unauthorized"));
            given().header(TestTokens.bearer("viewer")).get(path).then().statusCode(200);
        }
    }

    /** A field of a JSON answer, null when the answer is no JSON object. */
    private static String field(Response r, String name) {
        try {
            JsonNode node = JSON.readTree(r.asString());
            return node == null || !node.has(name) ? null : node.get(name).asText();
        } catch (Exception notJson) {
            return null;
        }
    }

    // --- tokens made here: moto signs every pool's tokens with the RSA key its package ships (resources/jwks-private.json)

    private static String withClaims(String jwt, java.util.function.Consumer<ObjectNode> change) throws Exception {
        String[] parts = jwt.split("\\.");
        ObjectNode claims = (ObjectNode) JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        change.accept(claims);
        return parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(claims)) + "."
                + parts[2];
    }

    /** The token's claims, changed, signed again with moto's key. */
    private static String signed(String jwt, java.util.function.Consumer<ObjectNode> change) throws Exception {
        String[] parts = jwt.split("\\.");
        ObjectNode claims = (ObjectNode) JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        change.accept(claims);
        org.jose4j.jws.JsonWebSignature jws = new org.jose4j.jws.JsonWebSignature();
        jws.setPayload(JSON.writeValueAsString(claims));
        jws.setAlgorithmHeaderValue("RS256");
        jws.setKeyIdHeaderValue("dummy");
        jws.setKey(((org.jose4j.jwk.RsaJsonWebKey) org.jose4j.jwk.JsonWebKey.Factory.newJwk(motoPrivateKey())).getPrivateKey());
        return jws.getCompactSerialization();
    }

    private static String motoPrivateKey() throws Exception {
        Process p = new ProcessBuilder("python3", "-c", "import moto,os;print(os.path.dirname(moto.__file__))").start();
        String dir = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        // moto ships its key gzipped (resources/jwks-private.json.gz)
        JsonNode jwks;
        try (java.io.InputStream in = new java.util.zip.GZIPInputStream(Files.newInputStream(
                Path.of(dir, "cognitoidp", "resources", "jwks-private.json.gz")))) {
            jwks = JSON.readTree(in);
        }
        return JSON.writeValueAsString(jwks.has("keys") ? jwks.get("keys").get(0) : jwks);
    }

    private static String idToken(java.net.URI moto, String clientId, String user, String password) throws Exception {
        String body = JSON.writeValueAsString(Map.of("ClientId", clientId, "AuthFlow", "USER_PASSWORD_AUTH",
                "AuthParameters", Map.of("USERNAME", user, "PASSWORD", password)));
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(moto.resolve("/")).header("Content-Type", "application/x-amz-json-1.1")
                        .header("X-Amz-Target", "AWSCognitoIdentityProviderService.InitiateAuth")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        String token = JSON.readTree(r.body()).path("AuthenticationResult").path("IdToken").asText();
        assertTrue(!token.isEmpty(), r.body());
        return token;
    }
}
