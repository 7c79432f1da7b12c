package io.shiftwork.auth;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The service's roles and what each implies. Roles come from the identity provider's groups through
 * {@code shiftwork.auth.roles.<role>=<group>,<group>} ({@link GroupRoles}); a role brings the roles below it:
 * {@code admin} ⊃ {@code operator}, {@code reader} ⊃ {@code viewer}.
 */
public final class Roles {

    /** Reads: every GET of the API, the OpenAPI document, metrics. */
    public static final String VIEWER = "viewer";
    /** Routed read queries on the warehouse's data. */
    public static final String READER = "reader";
    /** Starts runs, cancels them, holds and resumes clusters. */
    public static final String OPERATOR = "operator";
    /** What grants data or costs money: restore drills, datashares, migrations, forecaster training. */
    public static final String ADMIN = "admin";

    public static final List<String> ALL = List.of(VIEWER, READER, OPERATOR, ADMIN);

    private static final Map<String, Set<String>> IMPLIES = Map.of(
            VIEWER, Set.of(VIEWER),
            READER, Set.of(READER, VIEWER),
            OPERATOR, Set.of(OPERATOR, VIEWER),
            ADMIN, Set.of(ADMIN, OPERATOR, READER, VIEWER));

    private Roles() {
    }

    /**
     * The roles of a caller in these groups: each role whose configured groups include one of them, with the roles
     * it implies. Groups that no role names give nothing.
     */
    public static Set<String> of(Set<String> groups, Map<String, List<String>> groupsByRole) {
        Set<String> roles = new TreeSet<>();
        groupsByRole.forEach((role, roleGroups) -> {
            if (IMPLIES.containsKey(role) && roleGroups.stream().anyMatch(groups::contains)) {
                roles.addAll(IMPLIES.get(role));
            }
        });
        return roles;
    }

    /** Whether someone with these roles holds {@code role}. */
    public static boolean holds(Set<String> roles, String role) {
        return role != null && roles.contains(role);
    }
}
