package io.shiftwork.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The local identity provider: a Cognito user pool in moto (cognito-idp), with one group per role and a demo user
 * in each, signed in with USER_PASSWORD_AUTH as a console would. moto signs the tokens with RS256 and serves the
 * pool's JWKS at {@code <moto>/<pool id>/.well-known/jwks.json}; their {@code iss} is Cognito's,
 * {@code https://cognito-idp.<region>.amazonaws.com/<pool id>}. Passwords are generated at every start and never
 * written to a file. Spoken as Cognito's JSON protocol over plain HTTP (no SDK module for it in the service).
 * Local runs and tests only.
 */
public final class LocalCognito {

    /** The demo users, each in the group of the same name (the default role mapping: group = role). */
    public static final List<String> USERS = List.of("viewer", "reader", "operator", "admin");

    private static final ObjectMapper JSON = new ObjectMapper();
    /** moto serves unsigned cognito-idp calls (InitiateAuth, as in AWS) from us-east-1. */
    private static final String REGION_OF_UNSIGNED_CALLS = "us-east-1";

    private final URI moto;
    private final String region;
    private final String poolId;
    private final String clientId;
    private final Map<String, String> passwords;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private LocalCognito(URI moto, String region, String poolId, String clientId, Map<String, String> passwords) {
        this.moto = moto;
        this.region = region;
        this.poolId = poolId;
        this.clientId = clientId;
        this.passwords = passwords;
    }

    /** Creates the pool {@code name}, an app client that allows USER_PASSWORD_AUTH, the groups and the demo users. */
    public static LocalCognito create(URI moto, String region, String name) {
        LocalCognito bare = new LocalCognito(moto, region, null, null, Map.of());
        String pool = bare.call("CreateUserPool", Map.of("PoolName", name)).path("UserPool").path("Id").asText();
        String client = bare.call("CreateUserPoolClient", Map.of("UserPoolId", pool, "ClientName", name + "-console",
                "ExplicitAuthFlows", List.of("ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")))
                .path("UserPoolClient").path("ClientId").asText();
        Map<String, String> passwords = new LinkedHashMap<>();
        for (String user : USERS) {
            bare.call("CreateGroup", Map.of("UserPoolId", pool, "GroupName", user));
            String password = password();
            bare.call("AdminCreateUser", Map.of("UserPoolId", pool, "Username", user, "MessageAction", "SUPPRESS"));
            bare.call("AdminSetUserPassword", Map.of("UserPoolId", pool, "Username", user, "Password", password,
                    "Permanent", true));
            bare.call("AdminAddUserToGroup", Map.of("UserPoolId", pool, "Username", user, "GroupName", user));
            passwords.put(user, password);
        }
        return new LocalCognito(moto, region, pool, client, Map.copyOf(passwords));
    }

    /**
     * Adds a user in these groups (none: a signed-in user without any role) with a generated password and returns
     * its access token.
     */
    public String signedInUser(String user, String... groups) {
        String password = password();
        call("AdminCreateUser", Map.of("UserPoolId", poolId, "Username", user, "MessageAction", "SUPPRESS"));
        call("AdminSetUserPassword", Map.of("UserPoolId", poolId, "Username", user, "Password", password, "Permanent", true));
        for (String group : groups) {
            try {
                call("CreateGroup", Map.of("UserPoolId", poolId, "GroupName", group));
            } catch (IllegalStateException exists) {
                // GroupExistsException: one of the role groups
            }
            call("AdminAddUserToGroup", Map.of("UserPoolId", poolId, "Username", user, "GroupName", group));
        }
        return accessToken(user, password);
    }

    /** Cognito's password policy wants upper and lower case, a digit and a symbol. */
    private static String password() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes); // per call: a native image may not hold a seeded generator
        return "Sw-1" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public String poolId() {
        return poolId;
    }

    public String clientId() {
        return clientId;
    }

    /** The password generated for a demo user at this start. */
    public String password(String user) {
        return passwords.get(user);
    }

    /** The issuer of the pool's tokens, as Cognito names it. */
    public String issuer() {
        return "https://cognito-idp." + region + ".amazonaws.com/" + poolId;
    }

    /** Signs in with name and password (USER_PASSWORD_AUTH); returns the access token. */
    public String accessToken(String user, String password) {
        return call("InitiateAuth", Map.of("ClientId", clientId, "AuthFlow", "USER_PASSWORD_AUTH",
                "AuthParameters", Map.of("USERNAME", user, "PASSWORD", password)))
                .path("AuthenticationResult").path("AccessToken").asText();
    }

    /** A pool created before (its demo users' passwords unknown here). */
    public static LocalCognito existing(URI moto, String poolId, String clientId) {
        return new LocalCognito(moto, REGION_OF_UNSIGNED_CALLS, poolId, clientId, Map.of());
    }

    /** Signs in to the pool of app client {@code clientId} in moto at {@code moto}; returns the access token. */
    public static String signIn(URI moto, String clientId, String user, String password) {
        return new LocalCognito(moto, REGION_OF_UNSIGNED_CALLS, null, clientId, Map.of()).accessToken(user, password);
    }

    /** A fresh access token of a demo user. */
    public String accessToken(String user) {
        return accessToken(user, passwords.get(user));
    }

    /**
     * The configuration that has quarkus-oidc accept this pool's tokens: moto serves no OpenID discovery document,
     * so the JWKS path and issuer are given.
     */
    public Map<String, String> oidcConfig() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("quarkus.oidc.auth-server-url", moto.resolve("/" + poolId).toString());
        c.put("quarkus.oidc.discovery-enabled", "false");
        c.put("quarkus.oidc.jwks-path", moto.resolve("/" + poolId + "/.well-known/jwks.json").toString());
        c.put("quarkus.oidc.token.issuer", issuer());
        c.put("quarkus.oidc.client-id", clientId);
        return c;
    }

    private JsonNode call(String action, Map<String, Object> request) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(moto.resolve("/"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/x-amz-json-1.1")
                    .header("X-Amz-Target", "AWSCognitoIdentityProviderService." + action)
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() >= 300) {
                throw new IllegalStateException("cognito-idp " + action + " answered " + r.statusCode() + ": " + r.body());
            }
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException("cognito-idp " + action + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
