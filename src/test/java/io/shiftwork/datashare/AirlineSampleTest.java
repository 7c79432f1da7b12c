package io.shiftwork.datashare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

class AirlineSampleTest {

    private static long rows(List<String> inserts, String table) {
        return inserts.stream().filter(s -> s.startsWith("INSERT INTO airline." + table + " VALUES"))
                .mapToLong(s -> s.split("\\), \\(").length).sum();
    }

    @Test
    void theSampleIsDeterministicAndFitsTheDataApi() {
        List<String> inserts = AirlineSample.inserts(AirlineSample.SEED);
        assertEquals(inserts, AirlineSample.inserts(AirlineSample.SEED));
        assertNotEquals(inserts, AirlineSample.inserts(AirlineSample.SEED + 1));
        assertEquals(AirlineSample.DAYS, rows(inserts, "dim_date"));
        assertEquals(AirlineSample.CUSTOMERS, rows(inserts, "dim_customer"));
        assertEquals(AirlineSample.flightCount(), rows(inserts, "dim_flight"));
        assertEquals((long) AirlineSample.flightCount() * AirlineSample.DAYS, rows(inserts, "flight_operations"));
        assertEquals(AirlineSample.BOOKINGS, rows(inserts, "bookings"));
        for (String s : inserts) {
            assertTrue(s.getBytes(StandardCharsets.UTF_8).length < 100_000, "under the Data API's 100 KB");
        }
        assertTrue(inserts.stream().anyMatch(s -> s.contains("'O''Hare International'")), "quotes doubled");
    }
}
