package io.shiftwork.local.redshift;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Redshift's {@code COPY ... FROM 's3://...'} inside stored procedures, static or through {@code EXECUTE}.
 * PostgreSQL would read a server file, so the body of every CREATE PROCEDURE / FUNCTION is rewritten: each
 * {@code EXECUTE expr} becomes {@code EXECUTE shiftwork_local.redshift_sql(expr)} and each static S3 COPY an
 * EXECUTE of its own text. At run time that function turns an S3 COPY into {@code COPY target FROM PROGRAM
 * 'curl .../_emulator/s3-copy/<hex of the COPY>' WITH (FORMAT csv)} (Python 3 where there is no curl): the
 * local Redshift parses the original COPY, reads S3 and answers CSV; a COPY it rejects fails the procedure with
 * its own error text ({@link #explain}). Rewriting is pure; the command runs as PostgreSQL's user.
 */
public final class ProcedureCopies {

    /** Path under the local Redshift's HTTP endpoint serving a COPY's source as CSV. */
    public static final String PATH = "/_emulator/s3-copy/";
    /** Server setting holding the command that fetches a URL to stdout, then {@code http://127.0.0.1:<port>/_emulator/s3-copy/}. */
    public static final String URL_SETTING = "shiftwork.s3_copy_url";

    /**
     * The command PostgreSQL runs to fetch a COPY's CSV: curl when it is on the PATH, else Python 3 (which the
     * emulators need anyway for moto). Both exit non-zero on an HTTP error.
     */
    public static String fetchCommand() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(java.io.File.pathSeparator)) {
            if (java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, "curl"))) {
                return "curl -sSf ";
            }
        }
        return "python3 -c \"import sys,urllib.request;sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1]).read())\" ";
    }

    /** Installed in every database: returns the statement, an S3 COPY turned into COPY FROM PROGRAM. */
    public static final String HELPER = """
            CREATE SCHEMA IF NOT EXISTS shiftwork_local;
            CREATE OR REPLACE FUNCTION shiftwork_local.redshift_sql(statement text) RETURNS text LANGUAGE plpgsql AS $f$
            DECLARE
                target text := substring(statement from '(?i)^\\s*copy\\s+(.+?)\\s+from\\s+''s3://');
            BEGIN
                IF target IS NULL THEN
                    RETURN statement;
                END IF;
                RETURN 'COPY ' || target || ' FROM PROGRAM '
                    || quote_literal(current_setting('shiftwork.s3_copy_url') || encode(convert_to(statement, 'UTF8'), 'hex'))
                    || ' WITH (FORMAT csv)';
            END $f$;
            """;

    private static final Pattern ROUTINE = Pattern.compile("(?is)^\\s*create\\s+(or\\s+replace\\s+)?(procedure|function)\\b.*");
    private static final Pattern FAILED_PROGRAM = Pattern.compile("program \".*?" + Pattern.quote(PATH) + "([0-9a-f]+)\" failed");
    private static final int REMEMBERED_ERRORS = 200;

    private final Map<String, String> errors = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED_ERRORS;
        }
    };

    /** The COPY statement a helper URL names. */
    public static String decode(String hex) {
        try {
            return new String(HexFormat.of().parseHex(hex), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw S3Commands.failure("not a hex-encoded COPY: " + e.getMessage());
        }
    }

    /** Remembers why the COPY a helper URL names failed, for {@link #explain}. */
    public synchronized void failed(String hex, String error) {
        errors.put(hex, error);
    }

    /** PostgreSQL's "program failed" replaced by the reason the local Redshift refused that COPY. */
    public synchronized String explain(String error) {
        if (error == null) {
            return null;
        }
        Matcher m = FAILED_PROGRAM.matcher(error);
        if (!m.find()) {
            return error;
        }
        String reason = errors.get(m.group(1));
        return reason != null ? "ERROR: " + reason
                : error.contains("exit code 127") ? "ERROR: COPY inside a procedure needs curl or python3 on the PATH of the local Redshift" : error;
    }

    /** The statement with EXECUTE and static S3 COPY inside a routine's dollar-quoted body routed through the helper. */
    public static String rewrite(String sql) {
        if (!ROUTINE.matcher(RedshiftDialect.withoutLeadingComments(sql)).matches()) {
            return sql;
        }
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (true) {
            int open = sql.indexOf('$', at);
            if (open < 0) {
                break;
            }
            int tagEnd = sql.indexOf('$', open + 1);
            if (tagEnd < 0 || !sql.substring(open + 1, tagEnd).matches("[A-Za-z_0-9]*")) {
                out.append(sql, at, open + 1);
                at = open + 1;
                continue;
            }
            String tag = sql.substring(open, tagEnd + 1);
            int close = sql.indexOf(tag, tagEnd + 1);
            if (close < 0) {
                break;
            }
            out.append(sql, at, tagEnd + 1).append(rewriteBody(sql.substring(tagEnd + 1, close))).append(tag);
            at = close + tag.length();
        }
        return out.append(sql.substring(at)).toString();
    }

    static String rewriteBody(String body) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        boolean statementStart = true;
        while (i < body.length()) {
            char c = body.charAt(i);
            if (c == '\'') {
                int end = literalEnd(body, i);
                out.append(body, i, end);
                i = end;
                statementStart = false;
                continue;
            }
            if (c == '-' && body.startsWith("--", i)) {
                int nl = body.indexOf('\n', i);
                int end = nl < 0 ? body.length() : nl + 1;
                out.append(body, i, end);
                i = end;
                continue;
            }
            if (Character.isLetter(c) && (i == 0 || !isWordChar(body.charAt(i - 1)))) {
                int wordEnd = i;
                while (wordEnd < body.length() && isWordChar(body.charAt(wordEnd))) {
                    wordEnd++;
                }
                String word = body.substring(i, wordEnd).toLowerCase(Locale.ROOT);
                if (statementStart && word.equals("execute")) {
                    int end = expressionEnd(body, wordEnd);
                    String expr = body.substring(wordEnd, end);
                    String trailing = expr.substring(expr.stripTrailing().length());
                    out.append(body, i, wordEnd).append(" shiftwork_local.redshift_sql(").append(expr.trim()).append(")")
                            .append(trailing);
                    i = end;
                    statementStart = false;
                    continue;
                }
                if (statementStart && word.equals("copy")) {
                    int end = expressionEnd(body, i);
                    String copy = body.substring(i, end);
                    if (S3Commands.parse(copy).isPresent()) {
                        out.append("EXECUTE shiftwork_local.redshift_sql(").append(quote(copy.trim())).append(")");
                        i = end;
                        statementStart = false;
                        continue;
                    }
                }
                out.append(body, i, wordEnd);
                statementStart = switch (word) {
                    case "begin", "then", "else", "loop" -> true;
                    default -> false;
                };
                i = wordEnd;
                continue;
            }
            out.append(c);
            if (c == ';') {
                statementStart = true;
            } else if (!Character.isWhitespace(c)) {
                statementStart = false;
            }
            i++;
        }
        return out.toString();
    }

    /** Where an EXECUTE's expression or a statement ends: at ';', INTO or USING outside literals and parentheses. */
    private static int expressionEnd(String body, int from) {
        int depth = 0;
        int i = from;
        while (i < body.length()) {
            char c = body.charAt(i);
            if (c == '\'') {
                i = literalEnd(body, i);
                continue;
            }
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (depth == 0 && c == ';') {
                return i;
            } else if (depth == 0 && Character.isLetter(c) && !isWordChar(body.charAt(i - 1))) {
                if (keywordAt(body, i, "into") || keywordAt(body, i, "using")) {
                    return i;
                }
            }
            i++;
        }
        return body.length();
    }

    private static boolean keywordAt(String s, int at, String keyword) {
        int end = at + keyword.length();
        return s.regionMatches(true, at, keyword, 0, keyword.length()) && (end == s.length() || !isWordChar(s.charAt(end)));
    }

    private static int literalEnd(String s, int open) {
        int i = open + 1;
        while (i < s.length()) {
            if (s.charAt(i) == '\'') {
                if (i + 1 < s.length() && s.charAt(i + 1) == '\'') {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return s.length();
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    private static String quote(String text) {
        return "'" + text.replace("'", "''") + "'";
    }
}
