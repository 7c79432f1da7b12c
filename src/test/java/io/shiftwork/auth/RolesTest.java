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

    @org.junit.jupiter.api.Test
    void the403NamesTheCallersRolesNotEveryRole() {
        String message = AuthErrors.forbidden(Set.of("viewer"));
        org.junit.jupiter.api.Assertions.assertTrue(message.contains("your roles: viewer;"), message);
        org.junit.jupiter.api.Assertions.assertFalse(message.contains("admin") || message.contains("operator"), message);
        org.junit.jupiter.api.Assertions.assertTrue(AuthErrors.forbidden(Set.of()).contains("your roles: none"));
    }

    @ParameterizedTest(name = "claims {0} -> principal {1}")
    @CsvSource(delimiter = '|', value = {
            "username=alice,client_id=app,sub=s1 | alice",
            "client_id=app,sub=s1                | app",
            "sub=s1                              | s1",
            "username=,client_id=app             | app",
            "''                                  | ",
    })
    void thePrincipalIsUsernameThenClientIdThenSub(String claims, String principal) {
        Map<String, Object> map = new java.util.HashMap<>();
        for (String kv : claims.split(",")) {
            String[] p = kv.split("=", 2);
            if (p.length == 2) {
                map.put(p[0], p[1]);
            }
        }
        org.eclipse.microprofile.jwt.JsonWebToken jwt = new org.eclipse.microprofile.jwt.JsonWebToken() {
            @Override
            public String getName() {
                return null;
            }

            @Override
            public Set<String> getClaimNames() {
                return map.keySet();
            }

            @SuppressWarnings("unchecked")
            @Override
            public <T> T getClaim(String name) {
                return (T) map.get(name);
            }
        };
        assertEquals(principal, GroupRoles.principalName(jwt));
    }
}
