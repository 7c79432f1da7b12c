package io.shiftwork.auth;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.Config;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.AuthenticationFailedException;
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

    /** Claims naming the app client a token was issued to: Cognito, then OIDC's azp, Okta, Entra v1. */
    static final List<String> CLIENT_CLAIMS = List.of("client_id", "azp", "cid", "appid");

    private final Set<String> clientIds;

    public GroupRoles(Config config) {
        clientIds = Set.copyOf(config.getOptionalValues("shiftwork.auth.client-ids", String.class)
                .or(() -> config.getOptionalValues("quarkus.oidc.client-id", String.class)).orElse(List.of()));
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
        java.security.Principal principal = identity.getPrincipal();
        if (principal instanceof JsonWebToken jwt) {
            String client = first(jwt, CLIENT_CLAIMS);
            if (!clientIds.isEmpty() && (client == null || !clientIds.contains(client))) {
                return Uni.createFrom().failure(new AuthenticationFailedException(
                        "token of app client " + client + ", not one of shiftwork.auth.client-ids"));
            }
            String name = principalName(jwt);
            if (name == null) {
                return Uni.createFrom().failure(new AuthenticationFailedException("token names no principal"));
            }
            principal = new NamedToken(name, jwt);
        }
        Set<String> roles = Roles.of(identity.getRoles(), groupsByRole);
        QuarkusSecurityIdentity.Builder mapped = QuarkusSecurityIdentity.builder()
                .setPrincipal(principal)
                .setAnonymous(false)
                .addCredentials(identity.getCredentials())
                .addAttributes(identity.getAttributes())
                .addRoles(roles);
        return Uni.createFrom().item(mapped.build());
    }

    /**
     * Who a token is: its {@code username} (a user), else its {@code client_id} (a machine client's
     * client-credentials token carries only that and {@code sub}), else its {@code sub}; null when none is set.
     */
    public static String principalName(JsonWebToken jwt) {
        return first(jwt, List.of("username", "client_id", "sub"));
    }

    private static String first(JsonWebToken jwt, List<String> claims) {
        for (String claim : claims) {
            Object value = jwt.getClaim(claim);
            String text = value == null ? null : value.toString();
            if (value instanceof jakarta.json.JsonString js) {
                text = js.getString();
            }
            if (text != null && !text.isBlank()) {
                return text;
            }
        }
        return null;
    }

    /** The token under the name {@link #principalName} gives it. */
    record NamedToken(String name, JsonWebToken token) implements JsonWebToken {
        @Override
        public String getName() {
            return name;
        }

        @Override
        public Set<String> getClaimNames() {
            return token.getClaimNames();
        }

        @Override
        public <T> T getClaim(String claimName) {
            return token.getClaim(claimName);
        }
    }
}
