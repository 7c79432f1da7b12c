package io.shiftwork.local.redshift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProcedureCopiesTest {

    @Test
    void executeAndStaticS3CopyInARoutineBodyGoThroughTheHelper() {
        String sql = """
                CREATE OR REPLACE PROCEDURE p(src varchar) AS $$
                BEGIN
                  -- execute nothing here
                  EXECUTE 'COPY t FROM ' || quote_literal(src) || ' CSV';
                  COPY t FROM 's3://b/k/' IAM_ROLE default DELIMITER ';' CSV;
                  EXECUTE 'select 1' INTO n;
                  INSERT INTO log VALUES ('copy t from x; execute y');
                END;
                $$ LANGUAGE plpgsql""";
        String out = ProcedureCopies.rewrite(sql);
        assertTrue(out.contains("EXECUTE shiftwork_local.redshift_sql('COPY t FROM ' || quote_literal(src) || ' CSV');"), out);
        assertTrue(out.contains("EXECUTE shiftwork_local.redshift_sql('COPY t FROM ''s3://b/k/'' IAM_ROLE default DELIMITER '';'' CSV');"), out);
        assertTrue(out.contains("EXECUTE shiftwork_local.redshift_sql('select 1') INTO n;"), out);
        assertTrue(out.contains("INSERT INTO log VALUES ('copy t from x; execute y');"), out);
        assertTrue(out.contains("-- execute nothing here"), out);
    }

    @Test
    void aRoutineAfterHeaderCommentsIsStillRecognised() {
        String sql = "-- header\n/* more */\nCREATE PROCEDURE p() AS $$ BEGIN EXECUTE 'x'; END; $$ LANGUAGE plpgsql";
        assertTrue(ProcedureCopies.rewrite(sql).contains("EXECUTE shiftwork_local.redshift_sql('x');"));
        assertEquals("CREATE TABLE t (a int)", io.shiftwork.local.redshift.RedshiftDialect.toPostgres("-- c\nCREATE TABLE t (a int) DISTSTYLE AUTO")
                .replace("-- c\n", ""));
    }

    @Test
    void statementsOutsideRoutinesAreUntouched() {
        String sql = "select 'EXECUTE x; COPY t FROM ''s3://b/''' as s";
        assertEquals(sql, ProcedureCopies.rewrite(sql));
    }

    @Test
    void aRefusedCopyExplainsItselfInsteadOfProgramFailed() {
        ProcedureCopies copies = new ProcedureCopies();
        copies.failed("abc1", "The specified S3 prefix 'x/' does not exist");
        assertEquals("ERROR: The specified S3 prefix 'x/' does not exist", copies.explain(
                "ERROR: program \"curl -sSf http://127.0.0.1:1/_emulator/s3-copy/abc1\" failed"));
        assertEquals("ERROR: The specified S3 prefix 'x/' does not exist", copies.explain("ERROR: program \"python3 -c \"import sys\" "
                + "http://127.0.0.1:1/_emulator/s3-copy/abc1\" failed"), "the Python fetcher where there is no curl");
        assertEquals("ERROR: other", copies.explain("ERROR: other"));
    }

    @Test
    void delimitedAndCsvSourcesBecomeOneCsv() {
        assertEquals(java.util.Arrays.asList(java.util.Arrays.asList("1", null, "x")), S3Commands.textRecords("1||x\n", '|'));
        assertEquals(java.util.Arrays.asList(java.util.Arrays.asList("a;b", "", null), java.util.Arrays.asList("multi\nline", "q'q", "z")),
                S3Commands.csvRecords("'a;b';'';\n'multi\nline';'q''q';z", ';', '\''));
    }
}
