package io.shiftwork.pipelines;

import java.util.List;
import java.util.Map;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every error of the HTTP API is {@code {"error": ..., "message": ...}}; never a stack trace. An unexpected
 * failure answers 500 with an {@code errorId} that is logged with the exception; its text is in the body only
 * with {@code shiftwork.http.error-details=true} (dev), as it may name tables, hosts or SQL.
 */
public class ApiErrors {

    private static final Logger LOG = Logger.getLogger(ApiErrors.class);

    /** What a 503 asks the caller to wait, in seconds (the {@code Retry-After} header). */
    static final int RETRY_AFTER_SECONDS = 5;

    private final boolean details;

    public ApiErrors(@ConfigProperty(name = "shiftwork.http.error-details", defaultValue = "false") boolean details) {
        this.details = details;
    }

    static Response body(int status, String error, String message) {
        return body(status, error, message, Map.of());
    }

    static Response body(int status, String error, String message, Map<String, Object> details) {
        Map<String, Object> entity = new java.util.LinkedHashMap<>();
        entity.put("error", error);
        entity.put("message", message);
        entity.putAll(details);
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(entity).build();
    }

    @ServerExceptionMapper
    public Response api(ApiException e) {
        Response r = body(e.status(), e.error(), e.getMessage(), e.details());
        // a passing outage (AWS not answering, no healthy consumer) may end by itself; a missing configuration will not
        boolean passing = e.status() == 503 && List.of("aws_unavailable", "no_consumer").contains(e.error());
        return passing ? Response.fromResponse(r).header("Retry-After", RETRY_AFTER_SECONDS).build() : r;
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String error = switch (status) {
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 413 -> "payload_too_large";
            case 415 -> "unsupported_media_type";
            default -> status < 500 ? "bad_request" : "internal_error";
        };
        String message = status == 404 ? "no such resource" : e.getMessage();
        return body(status, error, message == null ? error : message);
    }

    @ServerExceptionMapper(priority = 10_000)
    public Response unexpected(Throwable e) {
        String errorId = java.util.UUID.randomUUID().toString();
        if (awsUnavailable(e)) {
            LOG.warnf(e, "request failed: AWS unavailable, error id %s", errorId);
            String message = "AWS did not answer Shiftwork (unreachable, timed out, throttling or failing) after the SDK's "
                    + "retries: retry later (with the same Idempotency-Key, if you sent one). The log has the details under "
                    + "error id " + errorId;
            return Response.fromResponse(body(503, "aws_unavailable", message, Map.of("errorId", errorId)))
                    .header("Retry-After", RETRY_AFTER_SECONDS).build();
        }
        LOG.errorf(e, "request failed, error id %s", errorId);
        String message = "the request failed inside Shiftwork; the log has the details under error id " + errorId;
        if (details) {
            message += ": " + PipelineRunner.message(e);
        }
        return body(500, "internal_error", message, Map.of("errorId", errorId));
    }

    /**
     * Whether {@code e} (or a cause) says AWS could not be reached or could not serve the call rather than refused
     * it: the SDK's client-side failures with an I/O cause (connection refused, reset, unknown host) or a timeout,
     * and AWS's throttling and 5xx answers that outlived the SDK's retries. Such a request may succeed when retried.
     */
    public static boolean awsUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof software.amazon.awssdk.core.exception.ApiCallTimeoutException
                    || t instanceof software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException) {
                return true;
            }
            if (t instanceof software.amazon.awssdk.awscore.exception.AwsServiceException service) {
                return service.isThrottlingException() || service.statusCode() >= 500;
            }
            if (t instanceof software.amazon.awssdk.core.exception.SdkClientException) {
                for (Throwable c = t.getCause(); c != null; c = c.getCause() == c ? null : c.getCause()) {
                    if (c instanceof java.io.IOException) {
                        return true;
                    }
                }
                return false;
            }
        }
        return false;
    }
}
