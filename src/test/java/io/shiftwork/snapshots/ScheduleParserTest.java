package io.shiftwork.snapshots;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class ScheduleParserTest {

    private static ScheduleParser.Raw raw(String name, String interval, String retention) {
        return new ScheduleParser.Raw(name, "sales", null, null, interval, retention);
    }

    private static String rejected(ScheduleParser.Raw... raws) {
        return assertThrows(IllegalArgumentException.class, () -> ScheduleParser.parse(List.of(raws), "us-east-1")).getMessage();
    }

    @Test
    void parsesUnitsAndDefaults() {
        Schedule s = ScheduleParser.parse(List.of(raw("weekly", "1 week", "56 days")), "eu-west-1").get(0);
        assertEquals(Duration.ofDays(7), s.interval());
        assertEquals(Optional.of(Duration.ofDays(56)), s.retention());
        assertEquals(Schedule.Kind.PROVISIONED, s.kind());
        assertEquals("eu-west-1", s.region());
        assertEquals(8, s.snapshotsKept());
        assertEquals(Duration.ofMinutes(90), ScheduleParser.parse(List.of(raw("a", "90 minutes", null)), "r").get(0).interval());
        assertEquals(Duration.ofHours(6), ScheduleParser.parse(List.of(raw("a", "6h", null)), "r").get(0).interval());
    }

    @Test
    void invalidConfigurationNamesTheKey() {
        assertTrue(rejected(raw("a", "0 hours", null)).startsWith("shiftwork.snapshots.schedules.a.interval must be positive"));
        assertTrue(rejected(raw("a", "-2 hours", null)).contains("shiftwork.snapshots.schedules.a.interval"));
        assertTrue(rejected(raw("a", "3 fortnights", null)).contains("shiftwork.snapshots.schedules.a.interval has an unknown unit 'fortnights'"));
        assertTrue(rejected(raw("a", "1 day", "6 hours")).startsWith("shiftwork.snapshots.schedules.a.retention (6 hours) is shorter than"));
        assertTrue(rejected(raw("Bad_Name", "1 day", null)).startsWith("shiftwork.snapshots.schedules.Bad_Name: the schedule namespace"));
        assertTrue(rejected(raw("a", "1 day", null), raw("a", "2 days", null)).contains("duplicate namespace 'a'"));
        assertTrue(rejected(new ScheduleParser.Raw("a", "sales", "dense", null, "1 day", null)).startsWith("shiftwork.snapshots.schedules.a.kind"));
        assertTrue(rejected(new ScheduleParser.Raw("a", null, null, null, "1 day", null)).startsWith("shiftwork.snapshots.schedules.a.target is required"));
        assertTrue(rejected(raw("a", null, null)).startsWith("shiftwork.snapshots.schedules.a.interval is required"));
    }
}
