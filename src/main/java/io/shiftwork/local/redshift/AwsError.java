package io.shiftwork.local.redshift;

import java.util.Map;

/** An error answered in the AWS JSON 1.1 shape: {@code {"__type": code, "message": ...}} plus extra fields. */
public class AwsError extends RuntimeException {

    private final int status;
    private final String code;
    private final Map<String, String> fields;

    public AwsError(int status, String code, String message) {
        this(status, code, message, Map.of());
    }

    public AwsError(int status, String code, String message, Map<String, String> fields) {
        super(message);
        this.status = status;
        this.code = code;
        this.fields = fields;
    }

    public static AwsError validation(String message) {
        return new AwsError(400, "ValidationException", message);
    }

    public static AwsError notFound(String message) {
        return new AwsError(400, "ResourceNotFoundException", message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Map<String, String> fields() {
        return fields;
    }
}
