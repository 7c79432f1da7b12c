package io.shiftwork.datashare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.shiftwork.datashare.DatasharePlanner.Desired;
import io.shiftwork.datashare.DatasharePlanner.Observed;
import io.shiftwork.datashare.DatasharePlanner.Planned;
import io.shiftwork.datashare.DatasharePlanner.Target;

class DatasharePlannerTest {

    private static final Target PRODUCER = new Target("producer", "11111111-1111-4111-8111-111111111111");
    private static final Target A = new Target("consumer-a", "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa");
    private static final Target B = new Target("consumer-b", "BBBBBBBB-BBBB-4BBB-8BBB-BBBBBBBBBBBB");

    private static Desired desired(boolean pub, Target... consumers) {
        return new Desired("airline_share", pub, List.of("airline"), PRODUCER, List.of(consumers), "airline");
    }

    private static List<String> sql(List<Planned> plan) {
        return plan.stream().map(Planned::sql).toList();
    }

    @Test
    void fromNothingEveryStatementIsPlannedWithQuotedNamespaceIds() {
        Observed nothing = new Observed(false, false, Set.of(), Set.of("airline.bookings"), Set.of(), Map.of());
        assertEquals(List.of("CREATE DATASHARE airline_share SET PUBLICACCESSIBLE = TRUE",
                "ALTER DATASHARE airline_share ADD SCHEMA airline",
                "ALTER DATASHARE airline_share ADD ALL TABLES IN SCHEMA airline",
                "GRANT USAGE ON DATASHARE airline_share TO NAMESPACE 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'",
                "GRANT USAGE ON DATASHARE airline_share TO NAMESPACE 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb'",
                "CREATE DATABASE airline FROM DATASHARE airline_share OF NAMESPACE '11111111-1111-4111-8111-111111111111'",
                "CREATE DATABASE airline FROM DATASHARE airline_share OF NAMESPACE '11111111-1111-4111-8111-111111111111'"),
                sql(DatasharePlanner.plan(desired(true, A, B), nothing)));
        assertEquals("consumer-b", DatasharePlanner.plan(desired(true, A, B), nothing).get(6).workgroup());
    }

    @Test
    void whenEverythingIsInPlaceNothingIsPlanned() {
        Observed done = new Observed(true, false, Set.of("airline", "airline.bookings"), Set.of("airline.bookings"),
                Set.of(A.namespaceId(), B.namespaceId()), Map.of("consumer-a", true, "consumer-b", true));
        assertEquals(List.of(), DatasharePlanner.plan(desired(false, A, B), done));
    }

    @Test
    void aConsumerNoLongerConfiguredIsRevokedAndANewTableIsAdded() {
        Observed seen = new Observed(true, true, Set.of("airline", "airline.bookings"),
                Set.of("airline.bookings", "airline.daily_revenue"), Set.of(A.namespaceId(), B.namespaceId()),
                Map.of("consumer-a", true));
        assertEquals(List.of("ALTER DATASHARE airline_share SET PUBLICACCESSIBLE = FALSE",
                "ALTER DATASHARE airline_share ADD ALL TABLES IN SCHEMA airline",
                "REVOKE USAGE ON DATASHARE airline_share FROM NAMESPACE 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb'"),
                sql(DatasharePlanner.plan(desired(false, A), seen)));
    }

    @Test
    void identifiersAndNamespaceIdsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new Target("x", "not-a-guid"));
        assertThrows(IllegalArgumentException.class, () -> new Target("x", "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa' OR 1=1"));
        assertThrows(IllegalArgumentException.class,
                () -> new Desired("share; drop table x", false, List.of("airline"), PRODUCER, List.of(A), "airline"));
        assertThrows(IllegalArgumentException.class,
                () -> new Desired("s", false, List.of("Air-line"), PRODUCER, List.of(A), "airline"));
        assertThrows(IllegalArgumentException.class,
                () -> new Desired("s", false, List.of("airline"), PRODUCER, List.of(PRODUCER), "airline"));
    }

    @Test
    void theReadUserIsGrantedUsageOnlyWhereItLacksItAndMustExistEverywhere() {
        Desired withReader = new Desired("airline_share", false, List.of("airline"), PRODUCER, List.of(A, B), "airline",
                "shiftwork_reader");
        Observed shared = new Observed(true, false, Set.of("airline", "airline.bookings"), Set.of("airline.bookings"),
                Set.of(A.namespaceId(), B.namespaceId()), Map.of("consumer-a", true, "consumer-b", true),
                Map.of("consumer-a", new DatasharePlanner.ReadUser(true, true),
                        "consumer-b", new DatasharePlanner.ReadUser(true, false)));
        List<Planned> plan = DatasharePlanner.plan(withReader, shared);
        assertEquals(List.of("GRANT USAGE ON DATABASE airline TO shiftwork_reader"), sql(plan));
        assertEquals("datashare-grant-reader-2", plan.get(0).step());
        assertEquals("consumer-b", plan.get(0).workgroup());
        assertEquals(List.of(), DatasharePlanner.plan(desired(false, A, B), shared), "no read user: no grant");

        Observed missingUser = new Observed(true, false, Set.of("airline", "airline.bookings"), Set.of("airline.bookings"),
                Set.of(A.namespaceId(), B.namespaceId()), Map.of("consumer-a", true, "consumer-b", true),
                Map.of("consumer-a", new DatasharePlanner.ReadUser(true, true)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DatasharePlanner.plan(withReader, missingUser));
        assertTrue(e.getMessage().contains("shiftwork.queries.db-user") && e.getMessage().contains("consumer-b"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Desired("airline_share", false, List.of("airline"),
                PRODUCER, List.of(A), "airline", "reader; drop table x"));
    }
}
