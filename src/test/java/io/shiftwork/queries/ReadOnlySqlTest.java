package io.shiftwork.queries;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The routed-read classifier: what it lets through as one pure read and what it refuses, with which problem. */
class ReadOnlySqlTest {

    static Stream<Arguments> reads() {
        return Stream.of(
                Arguments.of("SELECT 1"),
                Arguments.of("select count(*) from airline.airline.bookings"),
                Arguments.of("SELECT 1;"),
                Arguments.of("SELECT 1;   -- trailing comment"),
                Arguments.of("SELECT 1; /* done */"),
                Arguments.of("  -- leading comment\nSELECT 1"),
                Arguments.of("/* leading comment -- with dashes */ SELECT 1"),
                Arguments.of("WITH t AS (SELECT 1 AS x) SELECT x FROM t"),
                Arguments.of("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT n FROM r"),
                Arguments.of("(SELECT 1) UNION (SELECT 2)"),
                Arguments.of("SELECT 'a;b' AS s"),
                Arguments.of("SELECT 'it''s; DROP TABLE x' AS s"),
                Arguments.of("SELECT 'DELETE FROM t' AS s"),
                Arguments.of("SELECT \"delete\", \"into\" FROM t"),
                Arguments.of("SELECT \"a;b\"\"c\" FROM t"),
                Arguments.of("SELECT $$ DELETE FROM t $$ AS s"),
                Arguments.of("SELECT $tag$ a $$ nested $$ b $tag$ AS s"),
                Arguments.of("SELECT 1 -- ; DROP TABLE x\n"),
                Arguments.of("SELECT 1 /* ; DROP TABLE x */"),
                Arguments.of("SELECT /* a ; b 'c \" */ 1"),
                Arguments.of("SELECT * FROM t WHERE id = :id AND name = :name"),
                Arguments.of("SELECT x::int FROM t"),
                Arguments.of("SELECT substring(s FROM 1 FOR 2) FROM t"),
                Arguments.of("SELECT t.status FROM airline.bookings t WHERE t.fare_class = :fare LIMIT 10"),
                Arguments.of("SELECT CASE WHEN a THEN 1 ELSE 2 END FROM t"),
                Arguments.of("SELECT t.\"update\" FROM t"),
                Arguments.of("SELECT row_number() OVER (PARTITION BY a ORDER BY b) FROM t"),
                // numbers as PostgreSQL's lexer ends them
                Arguments.of("SELECT 1e5, 1.e5, 1.5e-3, .5, 1., 1E+2 FROM t"),
                Arguments.of("SELECT 1+2, 3*4, 5-1, 6/2 FROM t"),
                Arguments.of("SELECT a FROM t LIMIT 10"),
                Arguments.of("SELECT 1 AS into1, x.for1 FROM t x"),
                Arguments.of("SELECT 1 -- a comment\r:notaparameter\n"),
                Arguments.of("SELECT query_to_xml_x, table_to FROM t"));
    }

    @ParameterizedTest
    @MethodSource("reads")
    void letsThroughOnePureRead(String sql) {
        ReadOnlySql.Verdict v = ReadOnlySql.check(sql);
        assertTrue(v.isRead(), sql + " → " + v);
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                // more than one statement
                Arguments.of("SELECT 1; DROP TABLE x", "multiple_statements"),
                // found by the breaker: PostgreSQL reads bytes >= 0x80 and '$' as parts of a name, so 'a€$x$' is one
                // identifier and what follows is SQL, not a dollar-quoted string
                Arguments.of("SELECT 1 AS a\u20ac$x$ INTO public.t FROM (SELECT 1) AS b\u20ac$x$", "unreadable_sql"),
                Arguments.of("WITH a\u20ac$x$ AS (DELETE FROM t RETURNING 1) SELECT 1 AS b\u20ac$x$", "unreadable_sql"),
                Arguments.of("SELECT 1\u00a0; DELETE FROM t", "unreadable_sql"),
                Arguments.of("SELECT 1 AS a$x$ INTO t FROM u AS b$x$", "not_a_read"),
                Arguments.of("SELECT 1\u0000; DELETE FROM t", "unreadable_sql"),
                Arguments.of("SELECT \"pg_sleep\"(45)", "not_a_read"),
                Arguments.of("SELECT \"set_config\"('a', 'b', false)", "not_a_read"),
                Arguments.of("SELECT pg_try_advisory_lock(1), pg_sleep_for('1 s')", "not_a_read"),
                Arguments.of("SELECT pg_catalog.pg_stat_reset()", "not_a_read"),
                Arguments.of("SELECT setseed(0.5)", "not_a_read"),
                Arguments.of("SELECT U&'\\0027' ; DELETE FROM t; --'", "unreadable_sql"),
                Arguments.of("SELECT U&\"d\\0061ta\" FROM t", "unreadable_sql"),
                Arguments.of("SELECT 1;SELECT 2", "multiple_statements"),
                Arguments.of("SELECT 1;; ", "multiple_statements"),
                Arguments.of("SELECT 'a'; DELETE FROM t", "multiple_statements"),
                Arguments.of("SELECT 1 /* c */; DELETE FROM t", "multiple_statements"),
                Arguments.of("SELECT $$x$$; DELETE FROM t", "multiple_statements"),
                Arguments.of("SELECT \"a\"; DELETE FROM t", "multiple_statements"),
                Arguments.of("SELECT 1 -- c\n; DELETE FROM t", "multiple_statements"),
                // writes inside a read
                Arguments.of("WITH d AS (DELETE FROM t RETURNING *) SELECT 1", "not_a_read"),
                Arguments.of("WITH d AS (INSERT INTO t VALUES (1) RETURNING *) SELECT * FROM d", "not_a_read"),
                Arguments.of("WITH d AS (UPDATE t SET a = 1 RETURNING *) SELECT * FROM d", "not_a_read"),
                Arguments.of("WITH d AS (MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE) SELECT 1", "not_a_read"),
                Arguments.of("with  d as (\n  delete\n from t) select 1", "not_a_read"),
                Arguments.of("SELECT * INTO new_table FROM t", "not_a_read"),
                Arguments.of("SELECT * INTO TEMP new_table FROM t", "not_a_read"),
                Arguments.of("SELECT * FROM t FOR UPDATE", "not_a_read"),
                Arguments.of("SELECT * FROM t FOR SHARE", "not_a_read"),
                Arguments.of("SELECT * FROM t FOR NO KEY UPDATE", "not_a_read"),
                Arguments.of("SELECT * FROM t FOR KEY SHARE", "not_a_read"),
                Arguments.of("SELECT set_config('search_path', 'x', false)", "not_a_read"),
                Arguments.of("SELECT nextval('s')", "not_a_read"),
                Arguments.of("SELECT pg_terminate_backend(1)", "not_a_read"),
                Arguments.of("SELECT dblink_exec('dbname=x', 'DELETE FROM t')", "not_a_read"),
                Arguments.of("SELECT lo_import('/etc/passwd')", "not_a_read"),
                // other statements
                Arguments.of("DELETE FROM t", "not_a_read"),
                Arguments.of("INSERT INTO t SELECT 1", "not_a_read"),
                Arguments.of("UPDATE t SET a = 1", "not_a_read"),
                Arguments.of("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE", "not_a_read"),
                Arguments.of("COPY t FROM 's3://b/k' IAM_ROLE 'arn:aws:iam::1:role/r'", "not_a_read"),
                Arguments.of("UNLOAD ('SELECT 1') TO 's3://b/k' IAM_ROLE default", "not_a_read"),
                Arguments.of("CALL sp_etl()", "not_a_read"),
                Arguments.of("SET search_path TO x", "not_a_read"),
                Arguments.of("RESET ALL", "not_a_read"),
                Arguments.of("DROP TABLE t", "not_a_read"),
                Arguments.of("CREATE TABLE t AS SELECT 1", "not_a_read"),
                Arguments.of("TRUNCATE t", "not_a_read"),
                Arguments.of("GRANT SELECT ON t TO PUBLIC", "not_a_read"),
                Arguments.of("LOCK TABLE t", "not_a_read"),
                Arguments.of("BEGIN", "not_a_read"),
                Arguments.of("EXPLAIN ANALYZE DELETE FROM t", "not_a_read"),
                Arguments.of("VALUES (1)", "not_a_read"),
                Arguments.of("/* SELECT */ DELETE FROM t", "not_a_read"),
                Arguments.of("-- SELECT\nDELETE FROM t", "not_a_read"),
                Arguments.of("(DELETE FROM t)", "not_a_read"),
                Arguments.of("\"select\" 1", "not_a_read"),
                Arguments.of("SELECT 1 UNION SELECT * INTO t FROM x", "not_a_read"),
                Arguments.of("SELECT (SELECT 1 FROM t FOR UPDATE)", "not_a_read"),
                // found by the breaker: a number stuck to a keyword hid it (PostgreSQL reads 1into as 1 then INTO)
                Arguments.of("SELECT 1into temp t", "not_a_read"),
                Arguments.of("SELECT * FROM pg_class LIMIT 1for share", "not_a_read"),
                Arguments.of("SELECT * FROM t LIMIT 1for update", "not_a_read"),
                Arguments.of("SELECT * FROM t LIMIT 1FOR KEY SHARE", "not_a_read"),
                Arguments.of("SELECT .5into t", "not_a_read"),
                Arguments.of("SELECT 1.into t", "not_a_read"),
                Arguments.of("SELECT 1.2e3into t", "not_a_read"),
                Arguments.of("SELECT 1e5into t", "not_a_read"),
                Arguments.of("SELECT 1E-5INTO t", "not_a_read"),
                Arguments.of("SELECT 0x1Finto t", "unreadable_sql"),
                // a number glued to a name: servers differ (two tokens, hex/octal/binary/'_' literals, trailing junk)
                Arguments.of("SELECT 1e", "unreadable_sql"),
                Arguments.of("SELECT 1e+", "unreadable_sql"),
                Arguments.of("SELECT 1ex FROM t", "unreadable_sql"),
                Arguments.of("SELECT 0x1F", "unreadable_sql"),
                Arguments.of("SELECT 0X1f", "unreadable_sql"),
                Arguments.of("SELECT 0b101", "unreadable_sql"),
                Arguments.of("SELECT 0o17", "unreadable_sql"),
                Arguments.of("SELECT 1_000", "unreadable_sql"),
                Arguments.of("SELECT 1.5_0", "unreadable_sql"),
                Arguments.of("SELECT 1abc FROM t", "unreadable_sql"),
                Arguments.of("SELECT .5a", "unreadable_sql"),
                // functions that run SQL given as text (or a table's, schema's, database's rows): family rules
                Arguments.of("SELECT query_to_xml('DELETE FROM t', true, false, '')", "not_a_read"),
                Arguments.of("SELECT query_to_xml_and_xmlschema('SELECT 1', true, false, '')", "not_a_read"),
                Arguments.of("SELECT query_to_xmlschema('SELECT 1', true, false, '')", "not_a_read"),
                Arguments.of("SELECT pg_catalog.query_to_xml_and_xmlschema('SELECT 1', true, false, '')", "not_a_read"),
                Arguments.of("SELECT \"query_to_xml_and_xmlschema\"('SELECT 1', true, false, '')", "not_a_read"),
                Arguments.of("SELECT pg_catalog.\"query_to_xml\"('SELECT 1', true, false, '')", "not_a_read"),
                Arguments.of("SELECT QUERY_TO_XML /* c */ ('SELECT 1', true, false, '')", "not_a_read"),
                Arguments.of("SELECT cursor_to_xml('c', 1, true, false, '')", "not_a_read"),
                Arguments.of("SELECT cursor_to_xmlschema('c', true, false, '')", "not_a_read"),
                Arguments.of("SELECT database_to_xml(true, false, '')", "not_a_read"),
                Arguments.of("SELECT database_to_xmlschema(true, false, '')", "not_a_read"),
                Arguments.of("SELECT database_to_xml_and_xmlschema(true, false, '')", "not_a_read"),
                Arguments.of("SELECT schema_to_xml('public', true, false, '')", "not_a_read"),
                Arguments.of("SELECT pg_catalog.schema_to_xml_and_xmlschema('public', true, false, '')", "not_a_read"),
                Arguments.of("SELECT table_to_xml('t', true, false, '')", "not_a_read"),
                Arguments.of("SELECT table_to_xmlschema('t'::regclass, true, false, '')", "not_a_read"),
                Arguments.of("SELECT * FROM ts_stat('SELECT v FROM t')", "not_a_read"),
                Arguments.of("SELECT ts_rewrite('a & b'::tsquery, 'SELECT t, s FROM aliases')", "not_a_read"),
                Arguments.of("SELECT * FROM crosstab('SELECT a, b, c FROM t') AS ct(a text, b int)", "not_a_read"),
                Arguments.of("SELECT * FROM public.crosstab3('SELECT a, b, c FROM t')", "not_a_read"),
                Arguments.of("SELECT * FROM connectby('t', 'id', 'parent', '1', 0) AS c(id int, p int, l int)", "not_a_read"),
                Arguments.of("SELECT set_config('a.b', 'c', false)", "not_a_read"),
                Arguments.of("SELECT pg_catalog.set_config('a.b', 'c', false)", "not_a_read"),
                // what cannot be read for sure
                Arguments.of("SELECT 'unterminated", "unreadable_sql"),
                Arguments.of("SELECT \"unterminated", "unreadable_sql"),
                Arguments.of("SELECT 1 /* unterminated", "unreadable_sql"),
                Arguments.of("SELECT 1 /* nested /* only one closed */", "unreadable_sql"),
                // nested comments and dollar quotes whose reading depends on the parser
                Arguments.of("SELECT /* a /* b */ ; DELETE FROM t */ 1", "unreadable_sql"),
                Arguments.of("/* leading /* nested */ comment */ SELECT 1", "unreadable_sql"),
                Arguments.of("SELECT $$ ; DELETE FROM t $$ AS s", "unreadable_sql"),
                Arguments.of("SELECT $$ ' $$, 1; DELETE FROM t --'", "unreadable_sql"),
                Arguments.of("SELECT $t$ -- $t$; DELETE FROM t", "unreadable_sql"),
                Arguments.of("SELECT $t$ /* $t$ AS s", "unreadable_sql"),
                Arguments.of("SELECT $$ unterminated", "unreadable_sql"),
                Arguments.of("SELECT $a$ x $b$", "unreadable_sql"),
                Arguments.of("SELECT 'a\\'; DELETE FROM t; --'", "unreadable_sql"),
                Arguments.of("SELECT E'a\\'; DELETE FROM t; --'", "unreadable_sql"),
                Arguments.of("SELECT e'x'", "unreadable_sql"),
                Arguments.of("SELECT (1", "unreadable_sql"),
                Arguments.of("SELECT 1)", "unreadable_sql"),
                Arguments.of("SELECT \\x", "unreadable_sql"),
                Arguments.of("", "empty_sql"),
                Arguments.of("   ", "empty_sql"),
                Arguments.of("-- only a comment", "empty_sql"),
                Arguments.of(";", "empty_sql"));
    }

    @ParameterizedTest
    @MethodSource("refused")
    void refusesWhatIsNotOnePureRead(String sql, String problem) {
        ReadOnlySql.Verdict v = ReadOnlySql.check(sql);
        assertEquals(problem, v.problem(), sql + " → " + v.message());
        assertTrue(v.message() != null && !v.message().isBlank());
    }

    static Stream<Arguments> numbers() {
        return Stream.of(
                Arguments.of("1", "1"), Arguments.of("1into", "1"), Arguments.of("1.", "1."), Arguments.of(".5into", ".5"),
                Arguments.of("1.e5", "1.e5"), Arguments.of("1.2e3into", "1.2e3"), Arguments.of("1e", "1"),
                Arguments.of("1e+", "1"), Arguments.of("1e-5x", "1e-5"), Arguments.of("0x1F", "0"),
                Arguments.of("1_000", "1"), Arguments.of("1..2", "1"), Arguments.of("1.5.5", "1.5"),
                Arguments.of("12e3e4", "12e3"));
    }

    /** Where a numeric literal ends, as in PostgreSQL's lexer (scan.l: integer, decimal, real; realfail backs off). */
    @ParameterizedTest
    @MethodSource("numbers")
    void aNumberEndsWherePostgresqlEndsIt(String text, String number) {
        assertEquals(number, text.substring(0, ReadOnlySql.number(text, 0)));
    }

    static Stream<Arguments> placeholders() {
        return Stream.of(
                Arguments.of("SELECT :a, :b_1 FROM t WHERE x = :a", java.util.List.of("a", "b_1", "a")),
                Arguments.of("SELECT 1 -- :hidden\n, :shown", java.util.List.of("shown")),
                // found by the breaker: a -- comment ends at \r too (PostgreSQL, ReadOnlySql), so :shown is SQL
                Arguments.of("SELECT 1 -- :hidden\r, :shown", java.util.List.of("shown")),
                Arguments.of("SELECT 1 -- :hidden\r\n, :shown", java.util.List.of("shown")),
                Arguments.of("SELECT ':no', \":no\", $$ :no $$, x::int /* :no */ FROM t WHERE y = :yes",
                        java.util.List.of("yes")));
    }

    /** The placeholder scanner (which parameters a read needs) and the classifier read comments alike. */
    @ParameterizedTest
    @MethodSource("placeholders")
    void thePlaceholderScannerAndTheClassifierAgree(String sql, java.util.List<String> names) {
        assertEquals(names, io.shiftwork.statements.NamedParameters.toPositional(sql).names());
        assertEquals(names, ReadOnlySql.tokenize(sql).stream().filter(t -> t.kind() == ReadOnlySql.Kind.PARAMETER)
                .map(t -> t.text().substring(1)).toList());
    }

    @org.junit.jupiter.api.Test
    void namesWhatItFound() {
        assertTrue(ReadOnlySql.check("SELECT 1into temp t").message().contains("'INTO' at character 9"),
                ReadOnlySql.check("SELECT 1into temp t").message());
        assertTrue(ReadOnlySql.check("SELECT 0x1F").message().contains("'0' at character 8"));
        assertTrue(ReadOnlySql.check("SELECT pg_catalog.query_to_xml_and_xmlschema('SELECT 1', true, false, '')")
                .message().contains("query_to_xml_and_xmlschema(), which runs SQL of its own"));
        assertTrue(ReadOnlySql.check("WITH d AS (DELETE FROM t) SELECT 1").message().contains("'DELETE' at character 12"));
        assertTrue(ReadOnlySql.check("SELECT a INTO b FROM t").message().contains("SELECT … INTO"));
        assertTrue(ReadOnlySql.check("SELECT 1; DROP TABLE x").message().contains("character 9"));
    }
}
