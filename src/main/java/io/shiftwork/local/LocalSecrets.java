package io.shiftwork.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Secrets Manager in moto, spoken as its JSON protocol over plain HTTP (the SDK module is not on the registry at
 * the SDK version the service uses): the local Redshift reads a Data API {@code SecretArn}'s {@code username}
 * with it, and the local run and tests store a read-only user's credentials with it. Local runs and tests only.
 */
public final class LocalSecrets {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI moto;
    private final String region;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public LocalSecrets(URI moto, String region) {
        this.moto = moto;
        this.region = region;
    }

    /** The partial ARN of secret {@code name} (what AWS accepts as a SecretId, without the random suffix). */
    public static String arn(String region, String name) {
        return "arn:aws:secretsmanager:" + region + ":123456789012:secret:" + name;
    }

    /** Creates or overwrites the secret with a Redshift user's credentials; returns its full ARN. */
    public String putUser(String name, String username, String password) {
        String value;
        try {
            value = JSON.writeValueAsString(Map.of("username", username, "password", password));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Optional<JsonNode> existing = call("DescribeSecret", Map.of("SecretId", name));
        if (existing.isPresent()) {
            call("PutSecretValue", Map.of("SecretId", name, "SecretString", value));
            return existing.get().path("ARN").asText();
        }
        return call("CreateSecret", Map.of("Name", name, "SecretString", value,
                "Tags", java.util.List.of(Map.of("Key", "RedshiftDataFullAccess", "Value", "reader"))))
                .orElseThrow().path("ARN").asText();
    }

    /** The secret's JSON (SecretString), empty when there is no such secret. */
    public Optional<JsonNode> json(String secretId) {
        return call("GetSecretValue", Map.of("SecretId", secretId)).map(r -> {
            try {
                return JSON.readTree(r.path("SecretString").asText("{}"));
            } catch (IOException e) {
                throw new IllegalStateException("secret " + secretId + " holds no JSON", e);
            }
        });
    }

    /** A password Redshift accepts (8-64 characters, upper and lower case, a digit), generated. */
    public static String password() {
        String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        SecureRandom random = new SecureRandom(); // per call: a native image may not hold a seeded generator
        StringBuilder b = new StringBuilder("Rd1");
        for (int i = 0; i < 21; i++) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    private Optional<JsonNode> call(String action, Map<String, Object> request) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(moto.resolve("/"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/x-amz-json-1.1")
                    .header("X-Amz-Target", "secretsmanager." + action)
                    .header("Authorization", "AWS4-HMAC-SHA256 Credential=local/20260101/" + region
                            + "/secretsmanager/aws4_request, SignedHeaders=host, Signature=0")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() >= 400 && r.body().contains("ResourceNotFoundException")) {
                return Optional.empty();
            }
            if (r.statusCode() >= 300) {
                throw new IllegalStateException("secretsmanager " + action + " answered " + r.statusCode() + ": " + r.body());
            }
            return Optional.of(JSON.readTree(r.body()));
        } catch (IOException e) {
            throw new IllegalStateException("secretsmanager " + action + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
