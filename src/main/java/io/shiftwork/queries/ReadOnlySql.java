package io.shiftwork.queries;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Decides, before anything is submitted, whether a SQL text is one pure read: a single {@code SELECT} or
 * {@code WITH … SELECT} with no write anywhere in it. A tokenizer, not a prefix check: strings, quoted identifiers,
 * dollar quotes and (nested) comments are read as PostgreSQL/Redshift read them, so a semicolon or keyword inside
 * them means nothing, and one outside them is seen wherever it is ({@code WITH d AS (DELETE …) SELECT 1},
 * {@code SELECT … INTO t}, {@code SELECT 1; DROP TABLE x}). Conservative: what it cannot read for sure (an unclosed
 * quote, a backslash in a string, whose meaning depends on a server setting) is refused. The database user the
 * reads run as, with only SELECT, stays the backstop; this check gives the caller a 400 naming the problem instead.
 */
public final class ReadOnlySql {

    /** The verdict: {@code problem} null for a pure read, else an error code and a message naming what was found. */
    public record Verdict(String problem, String message) {
        public boolean isRead() {
            return problem == null;
        }

        static Verdict read() {
            return new Verdict(null, null);
        }

        static Verdict refuse(String problem, String message) {
            return new Verdict(problem, message);
        }
    }

    /** Unquoted words that write, change the session or call code: refused wherever they stand. */
    static final Set<String> WRITES = Set.of("insert", "update", "delete", "merge", "into", "copy", "unload", "call",
            "set", "reset", "create", "drop", "alter", "grant", "revoke", "truncate", "vacuum", "analyze", "lock",
            "execute", "prepare", "deallocate", "begin", "commit", "rollback", "do", "nowait");

    /** Functions with side effects (sessions, sequences, files, other connections): refused when called. */
    static final Set<String> SIDE_EFFECT_FUNCTIONS = Set.of("set_config", "nextval", "setval", "pg_terminate_backend",
            "pg_cancel_backend", "pg_reload_conf", "pg_rotate_logfile", "pg_read_file", "pg_read_binary_file",
            "pg_ls_dir", "pg_stat_file", "lo_import", "lo_export", "lo_unlink", "lo_create", "dblink", "dblink_exec",
            "dblink_connect", "dblink_send_query", "pg_advisory_lock", "pg_advisory_xact_lock", "pg_sleep",
            "pg_notify", "txid_current", "pg_switch_wal", "pg_create_restore_point", "query_to_xml",
            "table_to_xml", "cursor_to_xml", "setseed", "currval", "lastval", "connectby");

    /**
     * Families of functions that run SQL given to them as text, or a table's, schema's or database's every row
     * through internal SELECTs ({@code query_to_xml_and_xmlschema}, {@code database_to_xml}, {@code ts_stat},
     * {@code ts_rewrite}, tablefunc's {@code crosstab*}): what they run escapes this check, so they are refused by name
     * prefix, whatever version adds to the family.
     */
    static final List<String> SQL_TEXT_FAMILIES = List.of("query_to_", "cursor_to_", "database_to_", "schema_to_",
            "table_to_", "ts_stat", "ts_rewrite", "crosstab");

    /**
     * Whether calling {@code name} may have a side effect: the listed functions, every function of PostgreSQL's
     * and Redshift's {@code pg_}, {@code lo_}, {@code dblink} and {@code txid_} families (locks, sleeps, signals,
     * files, statistics resets, other connections), and those that run SQL text ({@link #SQL_TEXT_FAMILIES}): a read
     * has no need of them, and new ones appear with versions.
     */
    static boolean sideEffects(String name) {
        return SIDE_EFFECT_FUNCTIONS.contains(name) || name.startsWith("pg_") || name.startsWith("lo_")
                || name.startsWith("dblink") || name.startsWith("txid_")
                || SQL_TEXT_FAMILIES.stream().anyMatch(name::startsWith);
    }

    /** The statement kinds that read; anything else at the start is refused. */
    static final Set<String> READ_STARTS = Set.of("select", "with");

    enum Kind { WORD, QUOTED_IDENTIFIER, STRING, NUMBER, PARAMETER, SEMICOLON, OPEN, CLOSE, SYMBOL }

    record Token(Kind kind, String text, int at) {
        boolean is(String word) {
            return kind == Kind.WORD && text.equals(word);
        }
    }

    private ReadOnlySql() {
    }

    public static Verdict check(String sql) {
        if (sql == null || sql.isBlank()) {
            return Verdict.refuse("empty_sql", "sql is empty: give one SELECT statement");
        }
        List<Token> tokens;
        try {
            tokens = tokenize(sql);
        } catch (Unreadable e) {
            return Verdict.refuse("unreadable_sql", e.getMessage());
        }
        // one statement: a semicolon may only end the text
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i).kind() == Kind.SEMICOLON && i < tokens.size() - 1) {
                return Verdict.refuse("multiple_statements", "sql holds more than one statement (a ';' at character "
                        + (tokens.get(i).at() + 1) + " is followed by more SQL): give exactly one SELECT");
            }
        }
        if (!tokens.isEmpty() && tokens.get(tokens.size() - 1).kind() == Kind.SEMICOLON) {
            tokens = tokens.subList(0, tokens.size() - 1);
        }
        if (tokens.isEmpty()) {
            return Verdict.refuse("empty_sql", "sql holds only comments: give one SELECT statement");
        }
        Token first = tokens.stream().filter(t -> t.kind() != Kind.OPEN).findFirst().orElse(tokens.get(0));
        if (first.kind() != Kind.WORD || !READ_STARTS.contains(first.text())) {
            return Verdict.refuse("not_a_read", "sql must be a SELECT or WITH … SELECT; it starts with '"
                    + first.text() + "'");
        }
        int depth = 0;
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.kind() == Kind.OPEN) {
                depth++;
            } else if (t.kind() == Kind.CLOSE) {
                if (--depth < 0) {
                    return Verdict.refuse("unreadable_sql", "unbalanced ')' at character " + (t.at() + 1));
                }
            } else if (t.kind() == Kind.WORD) {
                boolean qualified = i > 0 && tokens.get(i - 1).text().equals(".");
                if (WRITES.contains(t.text()) && !qualified) {
                    return Verdict.refuse("not_a_read", "sql is not a pure read: '" + t.text().toUpperCase(Locale.ROOT)
                            + "' at character " + (t.at() + 1) + (t.is("into") ? " (SELECT … INTO creates a table)" : "")
                            + " is refused anywhere in a routed read");
                }
                if (t.is("for") && i + 1 < tokens.size() && Set.of("update", "share", "no", "key")
                        .contains(tokens.get(i + 1).text())) {
                    return Verdict.refuse("not_a_read", "sql is not a pure read: a lock clause (FOR "
                            + tokens.get(i + 1).text().toUpperCase(Locale.ROOT) + ") at character " + (t.at() + 1));
                }
                String name = t.text();
                if (i + 1 < tokens.size() && tokens.get(i + 1).kind() == Kind.OPEN && sideEffects(name)) {
                    boolean runsSql = SQL_TEXT_FAMILIES.stream().anyMatch(name::startsWith) || name.equals("connectby")
                            || name.equals("query_to_xml");
                    return Verdict.refuse("not_a_read", "sql calls " + name + "(), which " + (runsSql
                            ? "runs SQL of its own (given as text, or every row of a table, schema or database)"
                            : "has side effects") + ", at character " + (t.at() + 1));
                }
            } else if (t.kind() == Kind.QUOTED_IDENTIFIER && i + 1 < tokens.size() && tokens.get(i + 1).kind() == Kind.OPEN) {
                return Verdict.refuse("not_a_read", "sql calls a function by a quoted name (" + t.text() + ") at character "
                        + (t.at() + 1) + ": refused, call it by its plain name");
            }
        }
        if (depth != 0) {
            return Verdict.refuse("unreadable_sql", "unbalanced parentheses: " + depth + " '(' not closed");
        }
        for (int i = 0; i + 1 < tokens.size(); i++) {
            Token number = tokens.get(i);
            Token next = tokens.get(i + 1);
            if (number.kind() == Kind.NUMBER && next.kind() == Kind.WORD && next.at() == number.at() + number.text().length()) {
                // PostgreSQL before 15 and Redshift read 0x1F as 0 then x1F (an alias), PostgreSQL 16 as hex 31, and
                // 1abc as trailing junk: a reading that depends on the server is refused (a write word glued to a
                // number, 1into or 1for, was refused above as what it is)
                return Verdict.refuse("unreadable_sql", "the number '" + number.text() + "' at character "
                        + (number.at() + 1) + " is directly followed by the name '" + next.text() + "': servers read "
                        + number.text() + next.text() + " differently (two tokens, a hex/binary/octal or '_' literal, "
                        + "or an error); put a space or an operator between them");
            }
        }
        return Verdict.read();
    }

    static final class Unreadable extends RuntimeException {
        Unreadable(String message) {
            super(message, null, false, false);
        }
    }

    /** PostgreSQL's lexical rules (standard-conforming strings); comments dropped, words lower-cased. */
    static List<Token> tokenize(String s) {
        List<Token> out = new ArrayList<>();
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c >= 0x80 || (c < 0x20 && ASCII_SPACE.indexOf(c) < 0) || c == 0x7f) {
                // PostgreSQL reads every byte >= 0x80 as part of a name (so 'a€$x$' is one identifier, not a name and
                // a dollar quote) and Redshift's rules for them differ again: outside quotes, only ASCII is read
                throw new Unreadable(String.format("the character U+%04X at character %d is refused outside a quoted "
                        + "string or identifier: parsers differ on where a name holding it ends", (int) c, i + 1));
            }
            if (ASCII_SPACE.indexOf(c) >= 0) {
                i++;
            } else if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
                while (i < n && s.charAt(i) != '\n' && s.charAt(i) != '\r') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                int start = i;
                int depth = 0;
                do {
                    if (i + 1 < n && s.charAt(i) == '/' && s.charAt(i + 1) == '*') {
                        if (depth > 0) {
                            // PostgreSQL nests block comments, the SQL standard too; a parser that does not would
                            // end this comment at the first */ and read what follows as SQL
                            throw new Unreadable("a /* inside the comment opened at character " + (start + 1)
                                    + " is refused: whether comments nest depends on the parser");
                        }
                        depth++;
                        i += 2;
                    } else if (i + 1 < n && s.charAt(i) == '*' && s.charAt(i + 1) == '/') {
                        depth--;
                        i += 2;
                    } else if (i >= n) {
                        throw new Unreadable("a /* comment opened at character " + (start + 1) + " is not closed");
                    } else {
                        i++;
                    }
                } while (depth > 0);
            } else if (c == '\'' || ((c == 'e' || c == 'E' || c == 'b' || c == 'B' || c == 'x' || c == 'X'
                    || c == 'n' || c == 'N') && i + 1 < n && s.charAt(i + 1) == '\'' && !wordBefore(s, i))) {
                int start = i;
                if (c != '\'') {
                    if (c == 'e' || c == 'E') {
                        throw new Unreadable("an escape string (E'…') at character " + (start + 1)
                                + " is refused: its backslashes change where it ends");
                    }
                    i++;
                }
                i = quoted(s, i, '\'', start, "string");
                String body = s.substring(start, i);
                if (body.indexOf('\\') >= 0) {
                    throw new Unreadable("a backslash in the string at character " + (start + 1) + " is refused: "
                            + "whether it escapes the quote depends on the server, so where the string ends is unsure");
                }
                out.add(new Token(Kind.STRING, body, start));
            } else if (c == 'u' || c == 'U') {
                if (i + 2 < n && s.charAt(i + 1) == '&' && (s.charAt(i + 2) == '\'' || s.charAt(i + 2) == '"')) {
                    // U&'…' / U&"…": backslash escapes whose reading depends on the server (standard_conforming_strings)
                    throw new Unreadable("a Unicode-escape " + (s.charAt(i + 2) == '"' ? "identifier" : "string")
                            + " (U&…) at character " + (i + 1) + " is refused: where it ends depends on the server");
                } else {
                    i = word(s, i, out);
                }
            } else if (c == '"') {
                int start = i;
                i = quoted(s, i, '"', start, "quoted identifier");
                out.add(new Token(Kind.QUOTED_IDENTIFIER, s.substring(start, i), start));
            } else if (c == '$') {
                int start = i;
                if (i + 1 < n && Character.isDigit(s.charAt(i + 1))) {
                    i++;
                    while (i < n && Character.isDigit(s.charAt(i))) {
                        i++;
                    }
                    out.add(new Token(Kind.PARAMETER, s.substring(start, i), start));
                    continue;
                }
                int j = i + 1;
                while (j < n && (letter(s.charAt(j)) || digit(s.charAt(j)) || s.charAt(j) == '_')) {
                    j++;
                }
                if (j >= n || s.charAt(j) != '$' || (j > i + 1 && digit(s.charAt(i + 1)))) {
                    throw new Unreadable("a '$' at character " + (start + 1) + " that opens no dollar quote");
                }
                String tag = s.substring(i, j + 1);
                int end = s.indexOf(tag, j + 1);
                if (end < 0) {
                    throw new Unreadable("a dollar quote " + tag + " opened at character " + (start + 1) + " is not closed");
                }
                String body = s.substring(j + 1, end);
                if (body.contains(";") || body.contains("'") || body.contains("\"") || body.contains("--")
                        || body.contains("/*") || body.contains("*/") || body.contains("\\")) {
                    // read without dollar quoting (a parser that takes them only in function bodies), these
                    // would open strings or comments, or end the statement, elsewhere than here
                    throw new Unreadable("the dollar-quoted string at character " + (start + 1) + " holds ; ' \" -- /* "
                            + "or a backslash: refused, as its meaning depends on the parser (use a '…' string)");
                }
                i = end + tag.length();
                out.add(new Token(Kind.STRING, s.substring(start, i), start));
            } else if (letter(c) || c == '_') {
                i = word(s, i, out);
            } else if (digit(c) || (c == '.' && i + 1 < n && digit(s.charAt(i + 1)))) {
                int start = i;
                i = number(s, i);
                out.add(new Token(Kind.NUMBER, s.substring(start, i), start));
            } else if (c == ':' && i + 1 < n && (letter(s.charAt(i + 1)) || s.charAt(i + 1) == '_')
                    && !(i > 0 && s.charAt(i - 1) == ':')) {
                int start = i++;
                while (i < n && (letter(s.charAt(i)) || digit(s.charAt(i)) || s.charAt(i) == '_')) {
                    i++;
                }
                out.add(new Token(Kind.PARAMETER, s.substring(start, i), start));
            } else if (c == ';') {
                out.add(new Token(Kind.SEMICOLON, ";", i++));
            } else if (c == '(') {
                out.add(new Token(Kind.OPEN, "(", i++));
            } else if (c == ')') {
                out.add(new Token(Kind.CLOSE, ")", i++));
            } else if (c == '\\') {
                throw new Unreadable("a backslash at character " + (i + 1) + " is refused outside a string");
            } else {
                out.add(new Token(Kind.SYMBOL, String.valueOf(c), i++));
            }
        }
        return out;
    }

    private static final String ASCII_SPACE = " \t\n\r\f";

    /**
     * Index after the numeric literal at {@code i}, as PostgreSQL's (and Redshift's) lexer ends it: digits, an
     * optional decimal point and digits ({@code 1.}, {@code .5}, not the first '.' of {@code 1..2}), an optional
     * exponent only when digits follow it ({@code 1e5}, {@code 1.e-5}; in {@code 1e} or {@code 1ex} the number is
     * {@code 1}). What follows, letters included, is the next token: {@code 1into} is {@code 1} then {@code INTO}.
     */
    static int number(String s, int i) {
        int n = s.length();
        while (i < n && digit(s.charAt(i))) {
            i++;
        }
        if (i < n && s.charAt(i) == '.' && !(i + 1 < n && s.charAt(i + 1) == '.')) {
            i++;
            while (i < n && digit(s.charAt(i))) {
                i++;
            }
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            int j = i + 1;
            if (j < n && (s.charAt(j) == '+' || s.charAt(j) == '-')) {
                j++;
            }
            if (j < n && digit(s.charAt(j))) {
                i = j;
                while (i < n && digit(s.charAt(i))) {
                    i++;
                }
            }
        }
        return i;
    }

    private static boolean letter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean wordBefore(String s, int i) {
        return i > 0 && (letter(s.charAt(i - 1)) || digit(s.charAt(i - 1)) || s.charAt(i - 1) == '_' || s.charAt(i - 1) == '$');
    }

    private static int word(String s, int i, List<Token> out) {
        int start = i;
        while (i < s.length() && (letter(s.charAt(i)) || digit(s.charAt(i)) || s.charAt(i) == '_' || s.charAt(i) == '$')) {
            i++;
        }
        out.add(new Token(Kind.WORD, s.substring(start, i).toLowerCase(Locale.ROOT), start));
        return i;
    }

    /** Index after the closing quote; a doubled quote is the quote itself. */
    private static int quoted(String s, int open, char q, int start, String what) {
        int i = open + 1;
        while (true) {
            if (i >= s.length()) {
                throw new Unreadable("a " + what + " opened at character " + (start + 1) + " is not closed");
            }
            if (s.charAt(i) == q) {
                if (i + 1 < s.length() && s.charAt(i + 1) == q) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
    }
}
