package io.shiftwork.local.redshift;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Redshift's {@code COPY ... FROM 's3://...'} and {@code UNLOAD ('select ...') TO 's3://...'} for CSV and
 * delimited text, against the emulated S3. Parsing is pure; {@link #run} does the I/O. An option Redshift has
 * but this emulator does not fails the statement naming it, as Redshift fails on an option it does not know.
 */
public final class S3Commands {

    public record Copy(String table, List<String> columns, String bucket, String prefix, boolean csv,
            char delimiter, char quote, int ignoreHeader) {
    }

    public record Unload(String query, String bucket, String prefix, boolean csv, boolean json, boolean header,
            char delimiter, boolean allowOverwrite, boolean parallel) {
    }

    private static final Pattern COPY = Pattern.compile("(?is)^\\s*copy\\s.*");
    private static final Pattern UNLOAD = Pattern.compile("(?is)^\\s*unload\\s*\\(.*");

    private S3Commands() {
    }

    /** The COPY or UNLOAD this statement is, if it is one; empty for any other SQL. */
    public static Optional<Object> parse(String statement) {
        String sql = RedshiftDialect.withoutLeadingComments(statement);
        if (UNLOAD.matcher(sql).matches()) {
            return Optional.of(parseUnload(new Tokens(sql)));
        }
        if (COPY.matcher(sql).matches()) {
            return Optional.of(parseCopy(new Tokens(sql)));
        }
        return Optional.empty();
    }

    private static Copy parseCopy(Tokens t) {
        t.expectWord("copy");
        String table = t.identifier();
        List<String> columns = new ArrayList<>();
        if (t.peekIs("(")) {
            t.next();
            while (!t.peekIs(")")) {
                columns.add(t.identifier());
                if (t.peekIs(",")) {
                    t.next();
                }
            }
            t.next();
        }
        t.expectWord("from");
        String source = t.literal("the COPY source");
        if (!source.startsWith("s3://")) {
            throw failure("COPY from '" + source + "' is not supported by the local Redshift: only s3:// sources");
        }
        boolean csv = false;
        Character delimiter = null;
        char quote = '"';
        int ignoreHeader = 0;
        while (t.hasNext()) {
            String option = t.word();
            if (commonOption(t, option, "COPY")) {
                csv |= option.equals("format");
                if (t.peekIs(",")) {
                    t.next();
                }
                continue;
            }
            switch (option) {
                case "csv" -> {
                    csv = true;
                    if (t.peekWord("quote")) {
                        t.next();
                        t.optionalWord("as");
                        quote = single(t.literal("QUOTE"), "QUOTE");
                    }
                }
                case "delimiter" -> {
                    t.optionalWord("as");
                    delimiter = single(t.literal("DELIMITER"), "DELIMITER");
                }
                case "ignoreheader" -> {
                    t.optionalWord("as");
                    ignoreHeader = t.integer("IGNOREHEADER");
                }
                case "header" -> ignoreHeader = 1;
                case "dateformat", "timeformat" -> {
                    t.optionalWord("as");
                    String f = t.literal(option.toUpperCase(Locale.ROOT));
                    if (!f.equalsIgnoreCase("auto") && !f.startsWith("YYYY-MM-DD")) {
                        throw unsupported("COPY", option.toUpperCase(Locale.ROOT) + " '" + f + "'");
                    }
                }
                case "emptyasnull", "blanksasnull", "acceptinvchars", "trimblanks", "truncatecolumns" -> {
                    // accepted: no effect on well-formed CSV
                }
                default -> throw unsupported("COPY", option.toUpperCase(Locale.ROOT));
            }
            if (t.peekIs(",")) {
                t.next();
            }
        }
        String[] location = split(source);
        return new Copy(table, columns, location[0], location[1], csv, delimiter != null ? delimiter : csv ? ',' : '|',
                quote, ignoreHeader);
    }

    private static Unload parseUnload(Tokens t) {
        t.expectWord("unload");
        t.expect("(");
        String query = t.literal("the UNLOAD query");
        t.expect(")");
        t.expectWord("to");
        String target = t.literal("the UNLOAD target");
        if (!target.startsWith("s3://")) {
            throw failure("UNLOAD to '" + target + "' is not supported: the target must be s3://");
        }
        boolean csv = false;
        boolean json = false;
        boolean header = false;
        Character delimiter = null;
        boolean overwrite = false;
        boolean parallel = true;
        while (t.hasNext()) {
            String option = t.word();
            if (option.equals("format") && (t.peekWord("json") || t.peekWord("as") && t.peekWord("json", 1))) {
                t.optionalWord("as");
                t.next();
                json = true;
                continue;
            }
            if (commonOption(t, option, "UNLOAD")) {
                csv |= option.equals("format");
                if (t.peekIs(",")) {
                    t.next();
                }
                continue;
            }
            switch (option) {
                case "csv" -> csv = true;
                case "header" -> header = true;
                case "delimiter" -> {
                    t.optionalWord("as");
                    delimiter = single(t.literal("DELIMITER"), "DELIMITER");
                }
                case "allowoverwrite" -> overwrite = true;
                case "parallel" -> {
                    String v = t.word();
                    parallel = v.equals("on") || v.equals("true");
                }
                default -> throw unsupported("UNLOAD", option.toUpperCase(Locale.ROOT));
            }
            if (t.peekIs(",")) {
                t.next();
            }
        }
        String[] location = split(target);
        if (json && (csv || header || delimiter != null)) {
            throw failure("UNLOAD FORMAT JSON cannot be combined with CSV, HEADER or DELIMITER");
        }
        return new Unload(query, location[0], location[1], csv, json, header,
                delimiter != null ? delimiter : csv ? ',' : '|', overwrite, parallel);
    }

    /**
     * Options COPY and UNLOAD share: credentials and region (accepted, ignored) and FORMAT, of which only CSV is
     * supported. Returns false for any other option, leaving it to the caller.
     */
    private static boolean commonOption(Tokens t, String option, String command) {
        switch (option) {
            case "iam_role", "credentials", "access_key_id", "secret_access_key", "session_token", "region" -> {
                t.optionalWord("as");
                t.literalOrWord();
                return true;
            }
            case "format" -> {
                t.optionalWord("as");
                String format = t.word();
                if (!format.equals("csv")) {
                    throw unsupported(command, "FORMAT " + format.toUpperCase(Locale.ROOT));
                }
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /** Runs a parsed COPY or UNLOAD; returns the rows loaded or unloaded. */
    public static long run(Object command, Connection connection, S3Client s3) throws SQLException, IOException {
        CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
        if (command instanceof Copy c) {
            // the same CSV a COPY inside a procedure reads (ProcedureCopies): one loader for both
            String target = c.table() + (c.columns().isEmpty() ? "" : "(" + String.join(", ", c.columns()) + ")");
            return copy.copyIn("COPY " + target + " FROM STDIN WITH (FORMAT csv)", new StringReader(sourceAsCsv(c, s3)));
        }
        Unload u = (Unload) command;
        String key = u.prefix() + (u.parallel() ? "0000_part_00" : "000");
        if (!u.allowOverwrite()) {
            boolean occupied = s3.listObjectsV2(b -> b.bucket(u.bucket()).prefix(u.prefix()).maxKeys(1)).keyCount() > 0;
            if (occupied) {
                throw failure("Specified unload destination on S3 is not empty. Consider using a different bucket / "
                        + "prefix, manually removing the target files in S3, or using the ALLOWOVERWRITE option.");
            }
        }
        if (u.json()) {
            StringBuilder lines = new StringBuilder();
            long rows = 0;
            try (java.sql.Statement st = connection.createStatement();
                    java.sql.ResultSet rs = st.executeQuery("SELECT row_to_json(q)::text FROM (" + u.query() + ") q")) {
                while (rs.next()) {
                    lines.append(rs.getString(1)).append('\n');
                    rows++;
                }
            }
            s3.putObject(b -> b.bucket(u.bucket()).key(key), RequestBody.fromString(lines.toString()));
            return rows;
        }
        String sql = "COPY (" + u.query() + ") TO STDOUT WITH (FORMAT " + (u.csv() ? "csv" : "text") + ", DELIMITER "
                + quoteLiteral(u.delimiter()) + (u.csv() && u.header() ? ", HEADER" : "") + ")";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long rows = copy.copyOut(sql, out);
        byte[] body = out.toByteArray();
        s3.putObject(b -> b.bucket(u.bucket()).key(key), RequestBody.fromBytes(body));
        return rows;
    }

    private static List<S3Object> sources(Copy c, S3Client s3) {
        List<S3Object> objects = new ArrayList<>();
        s3.listObjectsV2Paginator(b -> b.bucket(c.bucket()).prefix(c.prefix())).contents().forEach(objects::add);
        objects.removeIf(o -> o.size() == 0);
        if (objects.isEmpty()) {
            throw failure("The specified S3 prefix '" + c.prefix() + "' does not exist");
        }
        return objects;
    }

    /**
     * A COPY's S3 source as one CSV text (',' and '"', unquoted empty field = NULL) with header lines dropped:
     * what {@link ProcedureCopies} feeds to PostgreSQL's COPY FROM PROGRAM.
     */
    public static String sourceAsCsv(Copy c, S3Client s3) {
        StringBuilder out = new StringBuilder();
        for (S3Object object : sources(c, s3)) {
            String text = dropLines(s3.getObjectAsBytes(b -> b.bucket(c.bucket()).key(object.key())).asUtf8String(),
                    c.ignoreHeader());
            if (c.csv() && c.delimiter() == ',' && c.quote() == '"') {
                out.append(text);
                if (!text.isEmpty() && !text.endsWith("\n")) {
                    out.append('\n');
                }
            } else {
                for (List<String> record : c.csv() ? csvRecords(text, c.delimiter(), c.quote()) : textRecords(text, c.delimiter())) {
                    for (int i = 0; i < record.size(); i++) {
                        String field = record.get(i);
                        out.append(i == 0 ? "" : ",").append(field == null ? "" : '"' + field.replace("\"", "\"\"") + '"');
                    }
                    out.append('\n');
                }
            }
        }
        return out.toString();
    }

    /**
     * Delimited text: one record per line; an empty field or \N is NULL (Redshift loads empty non-character
     * fields as NULL, and character ones too with EMPTYASNULL).
     */
    static List<List<String>> textRecords(String text, char delimiter) {
        List<List<String>> records = new ArrayList<>();
        for (String line : text.split("\r?\n")) {
            if (line.isEmpty()) {
                continue;
            }
            List<String> fields = new ArrayList<>();
            for (String f : line.split(Pattern.quote(String.valueOf(delimiter)), -1)) {
                fields.add(f.isEmpty() || f.equals("\\N") ? null : f);
            }
            records.add(fields);
        }
        return records;
    }

    /** CSV with any delimiter and quote: quoted fields may hold delimiters, doubled quotes and newlines. */
    static List<List<String>> csvRecords(String text, char delimiter, char quote) {
        List<List<String>> records = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == quote && i + 1 < text.length() && text.charAt(i + 1) == quote) {
                    field.append(quote);
                    i++;
                } else if (c == quote) {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == quote) {
                quoted = true;
                wasQuoted = true;
            } else if (c == delimiter) {
                fields.add(field.length() == 0 && !wasQuoted ? null : field.toString());
                field.setLength(0);
                wasQuoted = false;
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                fields.add(field.length() == 0 && !wasQuoted ? null : field.toString());
                if (!(fields.size() == 1 && fields.get(0) == null)) {
                    records.add(fields);
                }
                fields = new ArrayList<>();
                field.setLength(0);
                wasQuoted = false;
            } else {
                field.append(c);
            }
        }
        if (field.length() > 0 || wasQuoted || !fields.isEmpty()) {
            fields.add(field.length() == 0 && !wasQuoted ? null : field.toString());
            records.add(fields);
        }
        return records;
    }

    private static String dropLines(String text, int lines) {
        int at = 0;
        for (int i = 0; i < lines && at >= 0; i++) {
            int nl = text.indexOf('\n', at);
            at = nl < 0 ? text.length() : nl + 1;
        }
        return text.substring(Math.min(at, text.length()));
    }

    private static String quoteLiteral(char c) {
        return c == '\'' ? "''''" : "'" + c + "'";
    }

    private static String[] split(String s3Url) {
        String rest = s3Url.substring("s3://".length());
        int slash = rest.indexOf('/');
        return slash < 0 ? new String[] { rest, "" } : new String[] { rest.substring(0, slash), rest.substring(slash + 1) };
    }

    private static char single(String value, String option) {
        String v = value.equals("\\t") ? "\t" : value;
        if (v.length() != 1) {
            throw failure(option + " must be a single character, got '" + value + "'");
        }
        return v.charAt(0);
    }

    static RuntimeException unsupported(String command, String option) {
        return failure(command + " option " + option + " is not supported by the local Redshift emulator "
                + "(supported: CSV, FORMAT AS CSV, DELIMITER, " + (command.equals("COPY") ? "IGNOREHEADER, QUOTE" : "FORMAT AS JSON, HEADER, ALLOWOVERWRITE, PARALLEL")
                + ", IAM_ROLE, REGION)");
    }

    static IllegalArgumentException failure(String message) {
        return new IllegalArgumentException(message);
    }

    /** A tiny tokenizer for the option lists of COPY and UNLOAD. */
    private static final class Tokens {
        private final List<String> tokens = new ArrayList<>();
        private int at;

        Tokens(String sql) {
            int i = 0;
            String s = sql.trim();
            if (s.endsWith(";")) {
                s = s.substring(0, s.length() - 1);
            }
            while (i < s.length()) {
                char c = s.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '\'') {
                    StringBuilder lit = new StringBuilder("'");
                    i++;
                    while (i < s.length()) {
                        char d = s.charAt(i);
                        if (d == '\'' && i + 1 < s.length() && s.charAt(i + 1) == '\'') {
                            lit.append('\'');
                            i += 2;
                        } else if (d == '\'') {
                            i++;
                            break;
                        } else {
                            lit.append(d);
                            i++;
                        }
                    }
                    tokens.add(lit.toString());
                } else if (c == '(' || c == ')' || c == ',') {
                    tokens.add(String.valueOf(c));
                    i++;
                } else {
                    int start = i;
                    while (i < s.length() && !Character.isWhitespace(s.charAt(i)) && "(),'".indexOf(s.charAt(i)) < 0) {
                        i++;
                    }
                    tokens.add(s.substring(start, i));
                }
            }
        }

        boolean hasNext() {
            return at < tokens.size();
        }

        String next() {
            if (!hasNext()) {
                throw failure("the statement ends too early");
            }
            return tokens.get(at++);
        }

        boolean peekIs(String token) {
            return hasNext() && tokens.get(at).equals(token);
        }

        boolean peekWord(String word) {
            return peekWord(word, 0);
        }

        boolean peekWord(String word, int ahead) {
            return at + ahead < tokens.size() && tokens.get(at + ahead).equalsIgnoreCase(word);
        }

        void expect(String token) {
            String got = next();
            if (!got.equals(token)) {
                throw failure("syntax error at or near \"" + got + "\": expected " + token);
            }
        }

        void expectWord(String word) {
            String got = next();
            if (!got.equalsIgnoreCase(word)) {
                throw failure("syntax error at or near \"" + got + "\": expected " + word.toUpperCase(Locale.ROOT));
            }
        }

        void optionalWord(String word) {
            if (peekWord(word)) {
                at++;
            }
        }

        String word() {
            String w = next();
            if (w.startsWith("'") || "(),".contains(w)) {
                throw failure("syntax error at or near \"" + w + "\"");
            }
            return w.toLowerCase(Locale.ROOT);
        }

        String identifier() {
            String w = next();
            if (!w.matches("[A-Za-z_\"][A-Za-z0-9_.\"$]*")) {
                throw failure("syntax error at or near \"" + w + "\": expected a table or column name");
            }
            return w;
        }

        String literal(String what) {
            String w = next();
            if (!w.startsWith("'")) {
                throw failure("syntax error at or near \"" + w + "\": expected a quoted string for " + what);
            }
            return w.substring(1);
        }

        String literalOrWord() {
            String w = next();
            return w.startsWith("'") ? w.substring(1) : w;
        }

        int integer(String what) {
            String w = next();
            try {
                return Integer.parseInt(w);
            } catch (NumberFormatException e) {
                throw failure(what + " must be a number, got " + w);
            }
        }
    }
}
