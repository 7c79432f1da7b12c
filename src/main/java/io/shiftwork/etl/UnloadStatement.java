package io.shiftwork.etl;

import java.util.Locale;
import java.util.regex.Pattern;

import io.shiftwork.etl.EtlConfig.UnloadFormat;

/**
 * Builds an UNLOAD. Redshift takes no bind parameters in UNLOAD's query text or target, so every part that
 * is not the operator's own SQL is checked against a strict pattern before it is written into the statement,
 * and the query is quoted as a literal. Pure.
 */
public final class UnloadStatement {

    public static final String BUCKET = "[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]";
    public static final String KEY_PREFIX = "[A-Za-z0-9_.=-]+(/[A-Za-z0-9_.=-]+)*";
    public static final String S3_URI = "s3://" + BUCKET + "(/" + KEY_PREFIX + ")?/?";
    static final String IAM_ROLE = "default|arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}";
    private static final Pattern OPTIONS = Pattern.compile("[A-Za-z0-9 _.,'=-]*");

    private UnloadStatement() {
    }

    /** {@code s3://bucket/prefix/run-id/step_}: the folder of the run, files named after the step. */
    public static String location(String bucket, String prefix, String runId, String step) {
        require(bucket, BUCKET, "bucket");
        String p = prefix == null ? "" : prefix.replaceAll("^/+|/+$", "");
        if (!p.isEmpty()) {
            require(p, KEY_PREFIX, "prefix");
        }
        require(runId, "[A-Za-z0-9-]{1,64}", "run id");
        require(step, "[A-Za-z0-9_-]{1,100}", "step");
        return "s3://" + bucket + "/" + (p.isEmpty() ? "" : p + "/") + runId + "/" + step + "_";
    }

    public static String sql(String query, String location, String iamRole, UnloadFormat format, boolean header,
            String options) {
        if (query == null || query.isBlank()) {
            throw new IllegalArgumentException("the UNLOAD has no query (header shiftworkUnloadQuery)");
        }
        require(location, "s3://" + BUCKET + "/[A-Za-z0-9_./=-]+", "UNLOAD location");
        require(iamRole, IAM_ROLE, "shiftwork.etl.iam-role");
        String extra = checkOptions(options);
        StringBuilder sql = new StringBuilder("UNLOAD ('").append(query.strip().replace("'", "''")).append("') TO '")
                .append(location).append("' IAM_ROLE ").append(iamRole.equals("default") ? "default" : "'" + iamRole + "'")
                .append(" FORMAT AS ").append(format.name());
        if (format == UnloadFormat.CSV && header) {
            sql.append(" HEADER");
        }
        if (!extra.isEmpty()) {
            sql.append(' ').append(extra);
        }
        return sql.toString();
    }

    /** UNLOAD options as configured, stripped; no ';' or other character that could end the statement. */
    static String checkOptions(String options) {
        String extra = options == null ? "" : options.strip();
        if (!OPTIONS.matcher(extra).matches()) {
            throw new IllegalArgumentException("shiftwork.etl.unload-options may hold letters, digits, spaces and "
                    + "_ . , ' = - only, got '" + options + "'");
        }
        return extra;
    }

    static UnloadFormat format(String name) {
        try {
            return UnloadFormat.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("format must be CSV, JSON or PARQUET, got '" + name + "'");
        }
    }

    private static void require(String value, String pattern, String what) {
        if (value == null || !value.matches(pattern)) {
            throw new IllegalArgumentException(what + " '" + value + "' must match " + pattern);
        }
    }
}
