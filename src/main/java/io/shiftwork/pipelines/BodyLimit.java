package io.shiftwork.pipelines;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Refuses request bodies over {@code shiftwork.http.max-body-size} with a JSON 413 before they are read, from the
 * declared Content-Length; a chunked body is measured once read ({@link #check}). Quarkus' own
 * {@code quarkus.http.limits.max-body-size} stays as a larger backstop (its 413 has no JSON body).
 */
@ApplicationScoped
public class BodyLimit {

    /** The path of routed reads ({@code POST /queries}), whose SQL alone may be 100 KB before JSON escapes it. */
    public static final String QUERIES = "/queries";

    private final long max;
    private final long queriesMax;

    public BodyLimit(@ConfigProperty(name = "shiftwork.http.max-body-size", defaultValue = "64K") MemorySize max,
            @ConfigProperty(name = "shiftwork.queries.max-body-size", defaultValue = "256K") MemorySize queriesMax) {
        this.max = max.asLongValue();
        this.queriesMax = Math.max(this.max, queriesMax.asLongValue());
    }

    /** The limit of a path: {@code shiftwork.queries.max-body-size} for {@link #QUERIES}, else the general one. */
    long maxFor(String path) {
        return path != null && (path.equals(QUERIES) || path.equals(QUERIES + "/")) ? queriesMax : max;
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::filter);
    }

    private void filter(RoutingContext rc) {
        String declared = rc.request().getHeader("Content-Length");
        if (declared != null) {
            try {
                long length = Long.parseLong(declared.trim());
                long limit = maxFor(rc.normalizedPath());
                if (length > limit) {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("error", "payload_too_large");
                    body.put("message", message(length, limit));
                    rc.response().setStatusCode(413).putHeader("Content-Type", "application/json")
                            .putHeader("Connection", "close").end(new JsonObject(body).encode());
                    return;
                }
            } catch (NumberFormatException ignored) {
                // Vert.x answers a malformed Content-Length itself
            }
        }
        rc.next();
    }

    /** For a body that came without Content-Length (chunked). */
    public void check(String body) {
        check(body, null);
    }

    /** For a body that came without Content-Length (chunked), to the endpoint at {@code path}. */
    public void check(String body, String path) {
        long limit = maxFor(path);
        if (body != null && body.length() > limit / 4) {
            long length = body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (length > limit) {
                throw new ApiException(413, "payload_too_large", message(length, limit));
            }
        }
    }

    private String message(long length, long limit) {
        return "request body is " + length + " bytes; at most " + limit + " bytes are accepted ("
                + (limit == max ? "shiftwork.http.max-body-size" : "shiftwork.queries.max-body-size") + ")";
    }
}
