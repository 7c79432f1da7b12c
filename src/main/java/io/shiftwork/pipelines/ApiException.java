package io.shiftwork.pipelines;

/** A client error the HTTP API answers as {@code {"error": ..., "message": ...}} with the given status. */
public class ApiException extends RuntimeException {

    private final int status;
    private final String error;
    private final java.util.Map<String, Object> details;

    public ApiException(int status, String error, String message) {
        this(status, error, message, java.util.Map.of());
    }

    /** With more fields for the JSON body (the running run of a 409, ...). */
    public ApiException(int status, String error, String message, java.util.Map<String, Object> details) {
        super(message);
        this.status = status;
        this.error = error;
        this.details = java.util.Map.copyOf(details);
    }

    public java.util.Map<String, Object> details() {
        return details;
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "not_found", message);
    }

    public static ApiException badRequest(String error, String message) {
        return new ApiException(400, error, message);
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }
}
