package io.shiftwork.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RolesTest {

    private static final Map<String, List<String>> MAPPING = Map.of(
            "viewer", List.of("analysts", "viewer"),
            "reader", List.of("data-readers"),
            "operator", List.of("ops"),
            "admin", List.of("platform-admins"));

    @ParameterizedTest(name = "groups {0} -> roles {1}")
    @CsvSource(delimiter = '|', value = {
            "''                      | ''",
            "strangers               | ''",
            "viewer                  | viewer",
            "analysts                | viewer",
            "data-readers            | reader,viewer",
            "ops                     | operator,viewer",
            "platform-admins         | admin,operator,reader,viewer",
            "analysts,ops            | operator,viewer",
            "operator                | ''",
            "admin                   | ''",
    })
    void groupsMapToTheirRolesAndWhatTheyImply(String groups, String roles) {
        assertEquals(set(roles), Roles.of(set(groups), MAPPING));
    }

    @ParameterizedTest(name = "{0} holds {1}: {2}")
    @CsvSource({"viewer,viewer,true", "viewer,operator,false", "operator,admin,false", "admin,operator,true",
            "admin,reader,true", "reader,operator,false"})
    void aRoleHoldsWhatItImplies(String group, String role, boolean holds) {
        Map<String, List<String>> sameName = Map.of("viewer", List.of("viewer"), "reader", List.of("reader"),
                "operator", List.of("operator"), "admin", List.of("admin"));
        assertEquals(holds, Roles.holds(Roles.of(Set.of(group), sameName), role));
    }

    private static Set<String> set(String csv) {
        return csv.isBlank() ? Set.of() : Set.of(csv.split(","));
    }
}
