package io.shiftwork.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteTimersTest {

    @ParameterizedTest
    @CsvSource({"500ms, 500", "30s, 30000", "15m, 900000", "24h, 86400000", "7d, 604800000", "1h30m, 5400000"})
    void aDurationWithItsUnitIsReadAsCamelReadsIt(String value, long ms) {
        assertEquals(ms, RouteTimers.duration("shiftwork.snapshots.tick", value, 1));
    }

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {"banana", "60", "0s", "-1s", "PT15M", "15 m", "''", "null", "1.5s"})
    void anythingElseAsAPeriodStopsStartUpNamingTheKey(String value) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> RouteTimers.duration("shiftwork.snapshots.tick", value, 1));
        assertTrue(e.getMessage().startsWith("shiftwork.snapshots.tick must be a positive duration"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"0s, 0", "5s, 5000"})
    void aFirstDelayMayBeZero(String value, long ms) {
        assertEquals(ms, RouteTimers.duration("shiftwork.snapshots.first-tick-delay", value, 0));
    }

    @ParameterizedTest
    @CsvSource({"PT0S", "-PT1H"})
    void aDurationThatMustBePositiveNamesItsKey(String value) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> RouteTimers.positive("shiftwork.runs.lock-ttl", java.time.Duration.parse(value)));
        assertTrue(e.getMessage().startsWith("shiftwork.runs.lock-ttl must be positive"), e.getMessage());
        assertEquals(java.time.Duration.ofMinutes(5), RouteTimers.positive("shiftwork.runs.lock-ttl", java.time.Duration.ofMinutes(5)));
    }

    @org.junit.jupiter.api.Test
    void everyPackagedTimerKeyIsChecked() throws Exception {
        // the keys the packaged routes put in a timer's period or delay, read from routes/*.camel.yaml
        java.util.Set<String> used = new java.util.TreeSet<>();
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("routes"))) {
            for (java.nio.file.Path f : files.filter(p -> p.toString().endsWith(".camel.yaml")).toList()) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s*(period|delay): \"\\{\\{(shiftwork\\.[a-z.-]+)}}\"")
                        .matcher(java.nio.file.Files.readString(f));
                while (m.find()) {
                    used.add(m.group(2));
                }
            }
        }
        java.util.Set<String> checked = new java.util.TreeSet<>(RouteTimers.PERIODS);
        checked.addAll(RouteTimers.DELAYS);
        assertTrue(checked.containsAll(used), "not checked: " + used.stream().filter(k -> !checked.contains(k)).toList());
    }
}
