package io.shiftwork.statements;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A statement's name says which pipeline, run, step and attempt it belongs to:
 * {@code shiftwork/<pipeline>/<runId>/<step>/<attempt>}. Redshift echoes it in the completion event, so it is
 * the correlation key, known before the statement is submitted. Pure.
 */
public final class StatementNames {

    public static final String PREFIX = "shiftwork/";
    /** Data API limit on StatementName. */
    static final int MAX = 500;

    public record Parsed(String pipeline, String runId, String step, int attempt) {
    }

    private StatementNames() {
    }

    public static String of(String pipeline, String runId, String step, int attempt) {
        String name = PREFIX + pipeline + "/" + runId + "/" + step + "/" + attempt;
        if (name.length() > MAX) {
            throw new IllegalArgumentException("statement name would be " + name.length() + " characters; the Data API allows "
                    + MAX + ": shorten the step name '" + step + "'");
        }
        return name;
    }

    public static Optional<Parsed> parse(String name) {
        if (name == null || !name.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String[] parts = name.substring(PREFIX.length()).split("/");
        if (parts.length != 4) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Parsed(parts[0], parts[1], parts[2], Integer.parseInt(parts[3])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The ClientToken of a statement: the same name always gives the same token, so a retried submit runs once. */
    public static String clientToken(String statementName) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(statementName.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 24);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
