package io.shiftwork.etl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.YearMonth;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import io.shiftwork.etl.EtlConfig.UnloadFormat;
import io.shiftwork.local.redshift.S3Commands;
import io.shiftwork.statements.SqlFiles;

class UnloadStatementTest {

    @Test
    void theLocationIsTheRunsFolderWithFilesNamedAfterTheStep() {
        assertEquals("s3://out/a/b/run-1/unload_", UnloadStatement.location("out", "/a/b/", "run-1", "unload"));
        assertEquals("s3://out/run-1/unload_", UnloadStatement.location("out", "", "run-1", "unload"));
        assertThrows(IllegalArgumentException.class, () -> UnloadStatement.location("out", "a'b", "run-1", "unload"));
        assertThrows(IllegalArgumentException.class, () -> UnloadStatement.location("Out_", "a", "run-1", "unload"));
    }

    @Test
    void theQueryIsQuotedAndTheStatementParsesAsRedshiftWouldTakeIt() {
        String sql = UnloadStatement.sql("select * from t where s = 'x'", "s3://out/p/r/u_", "default", UnloadFormat.CSV,
                true, "PARALLEL OFF");
        assertEquals("UNLOAD ('select * from t where s = ''x''') TO 's3://out/p/r/u_' IAM_ROLE default FORMAT AS CSV HEADER PARALLEL OFF", sql);
        S3Commands.Unload u = (S3Commands.Unload) S3Commands.parse(sql).orElseThrow();
        assertEquals("select * from t where s = 'x'", u.query());
        assertTrue(u.csv() && u.header() && !u.parallel());

        String json = UnloadStatement.sql("select 1", "s3://out/p/r/u_", "arn:aws:iam::123456789012:role/unload", UnloadFormat.JSON,
                true, "");
        assertEquals("UNLOAD ('select 1') TO 's3://out/p/r/u_' IAM_ROLE 'arn:aws:iam::123456789012:role/unload' FORMAT AS JSON", json,
                "no HEADER outside CSV");
    }

    @Test
    void badRolesOptionsAndFormatsAreRefusedNamingTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UnloadStatement.sql("select 1",
                "s3://out/p/", "arn:aws:iam::1:role/x' drop", UnloadFormat.CSV, false, ""));
        assertTrue(e.getMessage().contains("shiftwork.etl.iam-role"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> UnloadStatement.sql("select 1", "s3://out/p/", "default",
                UnloadFormat.CSV, false, "PARALLEL OFF; drop table t"));
        assertTrue(e.getMessage().contains("shiftwork.etl.unload-options"), e.getMessage());
        assertEquals(UnloadFormat.PARQUET, UnloadStatement.format("parquet"));
        assertThrows(IllegalArgumentException.class, () -> UnloadStatement.format("xml"));
    }

    @Test
    void theSampleIsDeterministicAndCoversEveryDay() {
        String a = TaxiSample.csv(100, YearMonth.of(2024, 2), 1);
        assertEquals(a, TaxiSample.csv(100, YearMonth.of(2024, 2), 1));
        String[] lines = a.split("\n");
        assertEquals(101, lines.length);
        assertEquals(TaxiSample.HEADER, lines[0]);
        assertEquals(29, Arrays.stream(lines).skip(1).map(l -> l.split(",")[1].substring(0, 10)).distinct().count());
        assertEquals(12, lines[1].split(",").length);
    }

    @Test
    void sqlFilesAreOneStatementAndStayInsideTheirFolder() {
        SqlFiles files = new SqlFiles("file:sql");
        assertTrue(files.load("etl/01-nyc_yellow_taxi.sql").endsWith("SORTKEY (pickup_datetime)"), "trailing ; dropped");
        assertThrows(IllegalArgumentException.class, () -> files.load("../pom.xml"));
        assertThrows(IllegalArgumentException.class, () -> files.load("/etc/passwd.sql"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> files.load("etl/nope.sql"));
        assertTrue(e.getMessage().contains("does not exist"));
    }
}
