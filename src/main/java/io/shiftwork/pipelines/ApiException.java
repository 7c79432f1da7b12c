package io.shiftwork.pipelines;

/** A client error the HTTP API answers as {@code {"error": ..., "message": ...}} with the given status. */
public class ApiException extends RuntimeException {

    private final int status;
    private final String error;

    public ApiException(int status, String error, String message) {
        super(message);
        this.status = status;
        this.error = error;
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
