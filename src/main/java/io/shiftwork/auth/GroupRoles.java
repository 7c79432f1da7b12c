package io.shiftwork.auth;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.Config;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Turns the groups a token carries into Shiftwork's roles. quarkus-oidc reads the groups from the claim named by
 * {@code quarkus.oidc.roles.role-claim-path} ({@code cognito:groups} for Cognito) as the identity's roles; this
 * replaces them with the roles {@code shiftwork.auth.roles.<role>=<group>,...} maps them to (default: the group
 * named as the role), so a group no role names grants nothing.
 */
@ApplicationScoped
public class GroupRoles implements SecurityIdentityAugmentor {

    static final String PREFIX = "shiftwork.auth.roles.";

    private final Map<String, List<String>> groupsByRole = new LinkedHashMap<>();

    public GroupRoles(Config config) {
        for (String role : Roles.ALL) {
            groupsByRole.put(role, config.getOptionalValues(PREFIX + role, String.class).orElse(List.of(role)));
        }
    }

    public Map<String, List<String>> groupsByRole() {
        return groupsByRole;
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous()) {
            return Uni.createFrom().item(identity);
        }
        Set<String> roles = Roles.of(identity.getRoles(), groupsByRole);
        QuarkusSecurityIdentity.Builder mapped = QuarkusSecurityIdentity.builder()
                .setPrincipal(identity.getPrincipal())
                .setAnonymous(false)
                .addCredentials(identity.getCredentials())
                .addAttributes(identity.getAttributes())
                .addRoles(roles);
        return Uni.createFrom().item(mapped.build());
    }
}
