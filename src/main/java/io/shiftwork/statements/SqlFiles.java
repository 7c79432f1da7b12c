package io.shiftwork.statements;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The operator's SQL files ({@code sql/} at the top of the repository, packaged as {@code classpath:sql}, or a
 * directory given as {@code shiftwork.sql.dir=file:/dir}). One statement per file: the Data API runs one.
 */
@ApplicationScoped
public class SqlFiles {

    private static final String SAFE_PATH = "[A-Za-z0-9_-][A-Za-z0-9_.-]*(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*\\.sql";

    private final String root;

    public SqlFiles(@ConfigProperty(name = "shiftwork.sql.dir", defaultValue = "classpath:sql") String root) {
        this.root = root;
    }

    /** The statement in {@code path} (relative, e.g. {@code etl/01-table.sql}), without a trailing semicolon. */
    public String load(String path) {
        if (path == null || !path.matches(SAFE_PATH) || path.contains("..")) {
            throw new IllegalArgumentException("SQL file '" + path + "' must be a relative path of letters, digits, "
                    + "'.', '_', '-' and '/' ending in .sql");
        }
        String text;
        try {
            if (root.startsWith("file:")) {
                Path file = Path.of(root.substring("file:".length()), path);
                if (!Files.isRegularFile(file)) {
                    throw new IllegalArgumentException("SQL file '" + path + "' does not exist under " + root);
                }
                text = Files.readString(file);
            } else {
                String resource = root.substring(root.indexOf(':') + 1) + "/" + path;
                try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
                    if (in == null) {
                        throw new IllegalArgumentException("SQL file '" + path + "' does not exist under " + root);
                    }
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not read SQL file '" + path + "': " + e.getMessage(), e);
        }
        String sql = text.strip();
        while (sql.endsWith(";")) {
            sql = sql.substring(0, sql.length() - 1).strip();
        }
        if (sql.isEmpty()) {
            throw new IllegalArgumentException("SQL file '" + path + "' is empty");
        }
        return sql;
    }
}
