package io.shiftwork.pipelines;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.security.identity.SecurityIdentity;
import io.shiftwork.auth.AuthErrors;
import io.shiftwork.auth.Roles;
import io.vertx.core.http.HttpServerRequest;

/**
 * The pipeline-runs API: list pipelines, start runs, read runs. Reading takes {@code viewer}; starting a run the
 * role its pipeline names ({@code operator} or {@code admin}); cancelling {@code operator}.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.VIEWER)
public class PipelinesResource {

    private final PipelineCatalog catalog;
    private final PipelineRunner runner;
    private final RunStore store;
    private final RunsConfig config;
    private final ObjectMapper json;
    private final Callers callers;
    private final IdempotencyKeys idempotency;
    private final BodyLimit bodyLimit;
    private final SecurityIdentity identity;
    /** Strict JSON: a duplicate key or anything after the object is a 400, not silently the last or ignored. */
    private final com.fasterxml.jackson.databind.ObjectReader strictJson;

    /** Header a client sets to make {@code POST .../runs} safe to retry. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    private static final java.util.regex.Pattern KEY = java.util.regex.Pattern.compile("[\\x21-\\x7e]{1,255}");

    public PipelinesResource(PipelineCatalog catalog, PipelineRunner runner, RunStore store, RunsConfig config,
            ObjectMapper json, Callers callers, IdempotencyKeys idempotency, BodyLimit bodyLimit, SecurityIdentity identity) {
        this.identity = identity;
        this.strictJson = json.reader().with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .with(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION);
        this.bodyLimit = bodyLimit;
        this.callers = callers;
        this.idempotency = idempotency;
        this.catalog = catalog;
        this.runner = runner;
        this.store = store;
        this.config = config;
        this.json = json;
    }

    @GET
    @Path("pipelines")
    public List<Map<String, Object>> pipelines() {
        return catalog.all().stream().map(spec -> {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("name", spec.name());
            p.put("description", spec.description());
            Map<String, Object> triggers = new LinkedHashMap<>();
            if (spec.triggers().contains(Trigger.HTTP)) {
                triggers.put("http", "POST /pipelines/" + spec.name() + "/runs");
            }
            if (spec.triggers().contains(Trigger.SCHEDULE)) {
                triggers.put("schedule", spec.schedule());
            }
            p.put("triggers", triggers);
            p.put("record", spec.isRecord());
            p.put("concurrency", spec.concurrency().name().toLowerCase().replace('_', '-'));
            p.put("parameters", spec.parameters());
            p.put("role", spec.role());
            p.put("mayStart", mayStart(spec));
            p.put("lastRun", store.listByPipeline(spec.name(), 1).stream().findFirst()
                    .map(r -> Map.of("runId", r.runId(), "status", r.status(), "createdAt", r.createdAt()))
                    .orElse(null));
            return p;
        }).toList();
    }

    /** Whether the caller may start a run of this pipeline over HTTP: it takes HTTP and the caller holds its role. */
    private boolean mayStart(PipelineSpec spec) {
        return spec.triggers().contains(Trigger.HTTP) && Roles.holds(identity.getRoles(), spec.role());
    }

    @POST
    @Path("pipelines/{name}/runs")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Start a run of a pipeline", description = "The body is a JSON object of the pipeline's "
            + "parameters (GET /pipelines lists them with their limits); an empty body means {}. With an Idempotency-Key "
            + "header, the same key and body return the same run for 24 h.")
    @APIResponse(responseCode = "202", description = "started: {runId, status, pipeline}, Location: the run")
    @APIResponse(responseCode = "400", description = "malformed JSON (also duplicate keys, trailing content, lone "
            + "surrogates), unknown, missing, mistyped or out-of-limit parameter")
    @APIResponse(responseCode = "401", description = "no valid bearer token")
    @APIResponse(responseCode = "403", description = "the caller lacks the pipeline's role; a record pipeline, a trigger "
            + "it does not take, or a value outside its allowlist")
    @APIResponse(responseCode = "404", description = "no such pipeline")
    @APIResponse(responseCode = "409", description = "a one-at-a-time pipeline already runs (runningRunId)")
    @APIResponse(responseCode = "413", description = "body over shiftwork.http.max-body-size")
    @APIResponse(responseCode = "415", description = "a body that is not Content-Type: application/json")
    @APIResponse(responseCode = "422", description = "Idempotency-Key reused with another body")
    public Response startRun(@PathParam("name") String name, @HeaderParam(IDEMPOTENCY_KEY) String key,
            @HeaderParam("Content-Type") String contentType,
            @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.OBJECT, description = "the pipeline's parameters"))) byte[] bytes,
            @Context HttpServerRequest request) {
        PipelineSpec spec = catalog.require(name);
        if (spec.role() != null && !identity.hasRole(spec.role())) {
            throw new ApiException(403, "forbidden", AuthErrors.forbidden(identity.getRoles(),
                    AuthErrors.takesRole("starting pipeline '" + name + "'", List.of(spec.role()))));
        }
        String charset = charset(contentType);
        if (charset != null && !charset.equalsIgnoreCase("utf-8") && bytes != null && bytes.length > 0) {
            throw new ApiException(415, "unsupported_media_type", "the body must be UTF-8 JSON: charset '" + charset
                    + "' is not accepted (send Content-Type: application/json or application/json; charset=utf-8)");
        }
        String body = utf8(bytes);
        bodyLimit.check(body);
        boolean empty = body == null || body.isBlank();
        if (!empty && !isJson(contentType)) {
            throw new ApiException(415, "unsupported_media_type", "the body must be a JSON object sent as "
                    + "Content-Type: application/json, got " + (contentType == null ? "no Content-Type" : "'" + contentType + "'"));
        }
        JsonNode parameters;
        try {
            parameters = empty ? json.createObjectNode() : strictJson.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("malformed_json", "request body is not valid JSON: "
                    + e.getOriginalMessage());
        }
        if (!parameters.isObject()) {
            throw ApiException.badRequest("invalid_parameters", "the body must be a JSON object of the pipeline's "
                    + "parameters (or empty for none), got " + parameters.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        String lone = loneSurrogate(parameters);
        if (lone != null) {
            throw ApiException.badRequest("malformed_json", "request body is not valid JSON: " + lone
                    + " holds an unpaired UTF-16 surrogate (\\ud800-\\udfff escape), which is no Unicode character");
        }
        StartedBy by = callers.http(request);
        Map<String, Object> params = runner.validate(spec, parameters, by);
        String runId = java.util.UUID.randomUUID().toString();
        if (key == null && request != null && request.headers().contains(IDEMPOTENCY_KEY)) {
            key = ""; // an empty header value: refused below like any other invalid key
        }
        if (key == null) {
            return accepted(runner.launch(spec, params, by, runId));
        }
        if (!KEY.matcher(key).matches()) {
            throw ApiException.badRequest("invalid_idempotency_key",
                    IDEMPOTENCY_KEY + " must be 1 to 255 visible ASCII characters");
        }
        // keys are per caller: another caller's key never returns their run
        String scoped = by.principal() + "/" + key;
        String hash;
        try {
            hash = IdempotencyKeys.hash(name, json.writeValueAsString(new java.util.TreeMap<>(params)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        java.util.Optional<IdempotencyKeys.Claim> earlier = idempotency.claim(scoped, hash, runId);
        if (earlier.isPresent()) {
            if (!earlier.get().requestHash().equals(hash)) {
                throw new ApiException(422, "idempotency_key_reused", IDEMPOTENCY_KEY + " '" + key
                        + "' was used for another request (another pipeline or other parameters) in the last 24 h",
                        Map.of("runId", earlier.get().runId()));
            }
            String id = earlier.get().runId();
            Run run = store.find(id).orElse(null);
            return Response.accepted(Map.of("runId", id, "status", run == null ? RunStatus.RUNNING : run.status(),
                    "pipeline", name)).location(URI.create("/runs/" + id)).header("Idempotent-Replayed", "true").build();
        }
        try {
            return accepted(runner.launch(spec, params, by, runId));
        } catch (RuntimeException e) {
            idempotency.forget(scoped, runId);
            throw e;
        }
    }

    /** The charset parameter of a Content-Type, unquoted, else null. */
    public static String charset(String contentType) {
        if (contentType == null) {
            return null;
        }
        String[] parts = contentType.split(";");
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            if (kv.length == 2 && kv[0].trim().equalsIgnoreCase("charset")) {
                String v = kv[1].trim();
                return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
            }
        }
        return null;
    }

    /** The body decoded as strict UTF-8: invalid bytes (an encoded surrogate, \\xff) are a 400, never U+FFFD. */
    public static String utf8(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw ApiException.badRequest("malformed_json", "request body is not valid JSON: it is not valid UTF-8 ("
                    + e.getMessage() + ")");
        }
    }

    public static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
    }

    /** The first key or string value with an unpaired surrogate (named by its JSON pointer), else null. */
    public static String loneSurrogate(JsonNode node) {
        return loneSurrogate(node, "");
    }

    private static String loneSurrogate(JsonNode node, String at) {
        if (node.isTextual()) {
            return unpaired(node.textValue()) ? (at.isEmpty() ? "the body" : "'" + at + "'") : null;
        }
        var fields = node.fields();
        while (fields.hasNext()) {
            var field = fields.next();
            if (unpaired(field.getKey())) {
                return "a key under '" + (at.isEmpty() ? "/" : at) + "'";
            }
            String found = loneSurrogate(field.getValue(), at + "/" + field.getKey());
            if (found != null) {
                return found;
            }
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String found = loneSurrogate(node.get(i), at + "/" + i);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static boolean unpaired(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static Response accepted(Run run) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("runId", run.runId());
        body.put("status", run.status());
        body.put("pipeline", run.pipeline());
        if (run.error() != null) {
            body.put("error", run.error());
        }
        return Response.accepted(body).location(URI.create("/runs/" + run.runId())).build();
    }

    @GET
    @Path("pipelines/{name}/runs")
    public List<Run> runs(@PathParam("name") String name, @QueryParam("limit") String limit) {
        catalog.require(name);
        return store.listByPipeline(name, parseLimit(limit));
    }

    @GET
    @Path("runs/{id}")
    public Run run(@PathParam("id") String id) {
        return store.find(id).orElseThrow(() -> ApiException.notFound("no run with id '" + id + "'"));
    }

    /**
     * A {@code @RolesAllowed} of this resource the caller lacks: starting a pipeline names the role of that pipeline
     * (GET /pipelines' {@code role}), not the least role of the endpoint; the rest as everywhere ({@link AuthErrors}).
     */
    @org.jboss.resteasy.reactive.server.ServerExceptionMapper
    Response forbidden(io.quarkus.security.ForbiddenException e, jakarta.ws.rs.container.ContainerRequestContext request,
            jakarta.ws.rs.container.ResourceInfo resource) {
        String takes = AuthErrors.takes(request, resource);
        if (resource != null && resource.getResourceMethod() != null && resource.getResourceMethod().getName().equals("startRun")) {
            String name = request.getUriInfo().getPathParameters().getFirst("name");
            java.util.Optional<PipelineSpec> spec = name == null ? java.util.Optional.empty() : catalog.find(name);
            if (spec.isPresent() && spec.get().role() != null) {
                takes = AuthErrors.takesRole("starting pipeline '" + name + "'", List.of(spec.get().role()));
            } else if (spec.isPresent()) {
                takes = "pipeline '" + name + "' records what the service did: nobody starts it";
            }
        }
        return AuthErrors.forbiddenResponse(AuthErrors.forbidden(identity.getRoles(), takes));
    }

    /** Cancels a run that has not ended (its statement too); 409 once it ended. */
    @POST
    @Path("runs/{id}/cancel")
    @RolesAllowed(Roles.OPERATOR)
    public Run cancel(@PathParam("id") String id) {
        return runner.cancel(id);
    }

    private int parseLimit(String limit) {
        if (limit == null || limit.isBlank()) {
            return 20;
        }
        try {
            int n = Integer.parseInt(limit.trim());
            if (n >= 1 && n <= config.maxLimit()) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiException.badRequest("invalid_limit",
                "limit must be an integer from 1 to " + config.maxLimit() + ", got '" + limit + "'");
    }
}
