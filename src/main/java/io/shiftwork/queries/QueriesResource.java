package io.shiftwork.queries;

import java.net.URI;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import io.quarkus.security.identity.SecurityIdentity;
import io.shiftwork.auth.Roles;
import io.shiftwork.pipelines.ApiException;
import io.shiftwork.pipelines.BodyLimit;
import io.shiftwork.pipelines.PipelinesResource;
import io.shiftwork.statements.NamedParameters;

/**
 * Routed reads over HTTP ({@code reader} role): {@code POST /queries {"sql", "parameters", "database", "async",
 * "maxRows"}} runs one pure read on one consumer; {@code GET /queries/{id}} reads an asynchronous one. Everything is
 * checked before anything is submitted: strict JSON, the SQL one read ({@link ReadOnlySql}), names valid, the
 * placeholders and the parameters the same set.
 */
@Path("/queries")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.READER)
public class QueriesResource {

    private static final Set<String> FIELDS = Set.of("sql", "parameters", "database", "async", "maxRows");
    /** Redshift database names: a plain identifier (no quoting, so nothing to escape). */
    static final Pattern DATABASE = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,126}");
    /** The Data API's SqlParameter name ([0-9a-zA-Z_]+), starting as a placeholder does. */
    static final Pattern PARAMETER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    /**
     * ExecuteStatement's Sql: at most 100 KB ("Cannot process query string larger than 100kB"), read as 100,000
     * bytes as the local Redshift does: over it, every consumer would refuse the submit (502) instead of this 400.
     */
    static final int MAX_SQL_BYTES = 100_000;

    private final RoutedReads reads;
    private final QueriesConfig config;
    private final BodyLimit bodyLimit;
    private final ObjectReader strictJson;
    private final Instance<SecurityIdentity> identity;

    public QueriesResource(RoutedReads reads, QueriesConfig config, BodyLimit bodyLimit, ObjectMapper json,
            Instance<SecurityIdentity> identity) {
        this.reads = reads;
        this.config = config;
        this.bodyLimit = bodyLimit;
        this.identity = identity;
        this.strictJson = json.reader().with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .with(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION);
    }

    @POST
    @Operation(summary = "Run a read-only query on one consumer", description = "One SELECT (or WITH … SELECT) with "
            + ":name placeholders bound from 'parameters'; runs as the configured read-only database user on the least "
            + "busy consumer, failing over on submit errors. Synchronous (every result page up to maxRows) unless "
            + "async is true (202 and GET /queries/{id}).")
    @APIResponse(responseCode = "200", description = "the result: columns, rows, rowCount, totalRows, truncated, consumer")
    @APIResponse(responseCode = "202", description = "async: {queryId, status, consumer}, Location: the read's URL (GET it)")
    @APIResponse(responseCode = "400", description = "malformed JSON, unknown field, not one pure read (the problem "
            + "named), invalid database or parameter name, placeholders and parameters differ")
    @APIResponse(responseCode = "422", description = "the read failed or was aborted in Redshift (its error; a hint when "
            + "the consumer has no such database yet)")
    @APIResponse(responseCode = "502", description = "every consumer refused the submit (failovers)")
    @APIResponse(responseCode = "503", description = "no consumer, or no read-only user configured")
    @APIResponse(responseCode = "504", description = "not finished within shiftwork.queries.timeout (cancelled)")
    public Response query(@HeaderParam("Content-Type") String contentType,
            @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.OBJECT, description = "{sql, parameters, database, async, maxRows}")))
            byte[] bytes) {
        RoutedReads.Request request = parse(contentType, bytes, principal());
        Map<String, Object> out = reads.run(request);
        if (request.async()) {
            return Response.accepted(out).location(URI.create("/queries/" + out.get("queryId"))).build();
        }
        return Response.ok(out).build();
    }

    @GET
    @Path("{id}")
    @Operation(summary = "An asynchronous read: its status, and its result once finished", description = "Only for "
            + "the principal who submitted it, or an admin: 404 for anyone else, as for an unknown id.")
    @APIResponse(responseCode = "404", description = "no such routed read, or another principal's")
    @APIResponse(responseCode = "200", description = "{queryId, status, consumer, database}, with the result once "
            + "FINISHED (up to the maxRows it was submitted with), or its error; one running past "
            + "shiftwork.queries.timeout from its submit is cancelled and answers FAILED, timedOut: true")
    public Map<String, Object> read(@PathParam("id") String id) {
        SecurityIdentity who = identity.get();
        return reads.read(id, principal(), Roles.holds(who.getRoles(), Roles.ADMIN));
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Cancel a running asynchronous read", description = "CancelStatement on the read's consumer. "
            + "Only for the principal who submitted it, or an admin: 404 for anyone else, as for an unknown id.")
    @APIResponse(responseCode = "202", description = "cancel requested: {queryId, status (as the Data API says right "
            + "after the cancel), cancelled: true, consumer, database}; GET /queries/{id} then answers ABORTED")
    @APIResponse(responseCode = "404", description = "no such routed read, or another principal's")
    @APIResponse(responseCode = "409", description = "the read has already ended (FINISHED, FAILED or ABORTED)")
    public Response cancel(@PathParam("id") String id) {
        SecurityIdentity who = identity.get();
        return Response.accepted(reads.cancel(id, principal(), Roles.holds(who.getRoles(), Roles.ADMIN))).build();
    }

    /** The signed-in caller's name (the resource takes only signed-in readers). */
    private String principal() {
        SecurityIdentity who = identity.get();
        if (who.isAnonymous() || who.getPrincipal() == null) {
            throw new IllegalStateException("routed reads need a signed-in principal");
        }
        return who.getPrincipal().getName();
    }

    RoutedReads.Request parse(String contentType, byte[] bytes, String owner) {
        String charset = PipelinesResource.charset(contentType);
        if (charset != null && !charset.equalsIgnoreCase("utf-8")) {
            throw new ApiException(415, "unsupported_media_type", "the body must be UTF-8 JSON: charset '" + charset
                    + "' is not accepted");
        }
        String body = PipelinesResource.utf8(bytes);
        bodyLimit.check(body, BodyLimit.QUERIES);
        if (body == null || body.isBlank()) {
            throw ApiException.badRequest("missing_field", "the body must be a JSON object with at least \"sql\"");
        }
        if (!PipelinesResource.isJson(contentType)) {
            throw new ApiException(415, "unsupported_media_type", "the body must be a JSON object sent as "
                    + "Content-Type: application/json, got " + (contentType == null ? "no Content-Type" : "'" + contentType + "'"));
        }
        JsonNode root;
        try {
            root = strictJson.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("malformed_json", "request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw ApiException.badRequest("invalid_body", "the body must be a JSON object {\"sql\", \"parameters\", "
                    + "\"database\", \"async\", \"maxRows\"}");
        }
        String lone = PipelinesResource.loneSurrogate(root);
        if (lone != null) {
            throw ApiException.badRequest("malformed_json", "request body is not valid JSON: " + lone
                    + " holds an unpaired UTF-16 surrogate");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw ApiException.badRequest("unknown_field", "unknown field '" + name + "'; accepted: "
                        + FIELDS.stream().sorted().toList());
            }
        }
        JsonNode sqlNode = root.get("sql");
        if (sqlNode == null || sqlNode.isNull()) {
            throw ApiException.badRequest("missing_field", "\"sql\" is required: one SELECT statement");
        }
        if (!sqlNode.isTextual()) {
            throw ApiException.badRequest("invalid_field_type", "\"sql\" must be a string");
        }
        String sql = sqlNode.textValue();
        int nul = sql.indexOf('\u0000');
        if (nul >= 0) {
            // PostgreSQL and Redshift take no NUL in text: refused here rather than failed (or cut) there
            throw new ApiException(400, "unreadable_sql", "\"sql\" holds a NUL character (\\u0000) at character "
                    + (nul + 1) + ": Redshift takes none in a statement", Map.of("field", "sql"));
        }
        if (sql.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_SQL_BYTES - RoutedReads.TAG_BYTES) {
            throw ApiException.badRequest("sql_too_long", "\"sql\" is over the Data API's 100 KB: at most "
                    + (MAX_SQL_BYTES - RoutedReads.TAG_BYTES) + " bytes of UTF-8 (100,000 less the "
                    + RoutedReads.TAG_BYTES + " of the owner's comment put before it)");
        }
        ReadOnlySql.Verdict verdict = ReadOnlySql.check(sql);
        if (!verdict.isRead()) {
            throw ApiException.badRequest(verdict.problem(), verdict.message());
        }
        String database = config.database();
        JsonNode db = root.get("database");
        if (db != null && !db.isNull()) {
            if (!db.isTextual() || !DATABASE.matcher(db.textValue()).matches()) {
                throw ApiException.badRequest("invalid_database", "\"database\" must be a plain database name "
                        + "(a letter or '_', then letters, digits, '_' or '$', at most 127), got " + db);
            }
            database = db.textValue();
        }
        boolean async = false;
        JsonNode asyncNode = root.get("async");
        if (asyncNode != null && !asyncNode.isNull()) {
            if (!asyncNode.isBoolean()) {
                throw ApiException.badRequest("invalid_field_type", "\"async\" must be true or false");
            }
            async = asyncNode.booleanValue();
        }
        int maxRows = config.maxRows();
        JsonNode max = root.get("maxRows");
        if (max != null && !max.isNull()) {
            if (!max.isInt() || max.intValue() < 1 || max.intValue() > config.maxRows()) {
                throw ApiException.badRequest("invalid_max_rows", "\"maxRows\" must be an integer from 1 to "
                        + config.maxRows() + " (shiftwork.queries.max-rows), got " + max);
            }
            maxRows = max.intValue();
        }
        Map<String, String> parameters = parameters(root.get("parameters"), body);
        List<String> placeholders = NamedParameters.toPositional(sql).names();
        for (String p : placeholders) {
            if (!parameters.containsKey(p)) {
                throw ApiException.badRequest("missing_parameter", "the sql uses :" + p + " but \"parameters\" has no '"
                        + p + "'");
            }
        }
        for (String p : parameters.keySet()) {
            if (!placeholders.contains(p)) {
                throw ApiException.badRequest("unknown_parameter", "parameter '" + p + "' is not used in the sql (as :"
                        + p + ")");
            }
        }
        return new RoutedReads.Request(sql, parameters, database, async, maxRows, owner);
    }

    private Map<String, String> parameters(JsonNode node, String body) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw ApiException.badRequest("invalid_field_type", "\"parameters\" must be an object of name → value");
        }
        Map<String, String> numbers = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (!PARAMETER.matcher(name).matches()) {
                throw ApiException.badRequest("invalid_parameter_name", "parameter name '" + name
                        + "' must be a letter or '_', then letters, digits or '_' (at most 128)");
            }
            if (!(v.isTextual() || v.isNumber() || v.isBoolean())) {
                throw ApiException.badRequest("invalid_parameter_value", "parameter '" + name
                        + "' must be a string, number or boolean (the Data API has no null parameter: write NULL in the sql)");
            }
            // a number keeps the text it was sent as: through a double, 12345678901234567890 or 0.10000000000000000001
            // would reach Redshift as another value
            if (v.isNumber() && numbers == null) {
                numbers = numberTexts(body);
            }
            String value = v.isTextual() ? v.textValue() : v.isNumber() ? numbers.get(name) : v.asText();
            int nul = value.indexOf('\u0000');
            if (nul >= 0) {
                throw new ApiException(400, "invalid_parameter_value", "parameter '" + name + "' holds a NUL character "
                        + "(\\u0000) at character " + (nul + 1) + ": Redshift takes none in text",
                        Map.of("parameter", name));
            }
            if (value.isEmpty()) {
                throw ApiException.badRequest("invalid_parameter_value", "parameter '" + name
                        + "' is empty: the Data API takes no empty parameter value");
            }
            out.put(name, value);
        }
        return out;
    }

    /**
     * The numbers of the body's {@code parameters} object as they were written ({@code 12345678901234567890},
     * {@code 0.10}, {@code 1e2}): the JSON tree holds them as long, BigInteger or double. The body was read as
     * strict JSON already, so this second reading of its tokens cannot fail on its syntax.
     */
    private Map<String, String> numberTexts(String body) {
        Map<String, String> out = new LinkedHashMap<>();
        try (JsonParser p = strictJson.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return out;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if ("parameters".equals(field) && t == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String name = p.currentName();
                        JsonToken v = p.nextToken();
                        if (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) {
                            out.put(name, p.getText());
                        } else {
                            p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("re-reading a body already read as JSON", e);
        }
        return out;
    }
}
