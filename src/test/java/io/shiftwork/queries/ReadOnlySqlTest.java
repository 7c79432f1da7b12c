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
                Arguments.of("SELECT row_number() OVER (PARTITION BY a ORDER BY b) FROM t"));
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

    @org.junit.jupiter.api.Test
    void namesWhatItFound() {
        assertTrue(ReadOnlySql.check("WITH d AS (DELETE FROM t) SELECT 1").message().contains("'DELETE' at character 12"));
        assertTrue(ReadOnlySql.check("SELECT a INTO b FROM t").message().contains("SELECT … INTO"));
        assertTrue(ReadOnlySql.check("SELECT 1; DROP TABLE x").message().contains("character 9"));
    }
}
