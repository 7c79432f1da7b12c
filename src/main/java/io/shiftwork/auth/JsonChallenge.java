package io.shiftwork.auth;

import java.util.Set;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import io.quarkus.oidc.runtime.OidcAuthenticationMechanism;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * quarkus-oidc's bearer-token mechanism with one change: its 401 challenge (a request without a valid token that a
 * path policy turned away) carries the API's JSON error body instead of none. The customisation Quarkus documents
 * ("HttpAuthenticationMechanism Customization": an alternative that delegates).
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class JsonChallenge implements HttpAuthenticationMechanism {

    private final OidcAuthenticationMechanism delegate;

    public JsonChallenge(OidcAuthenticationMechanism delegate) {
        this.delegate = delegate;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        return delegate.authenticate(context, identityProviderManager);
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return delegate.getChallenge(context);
    }

    @Override
    public Uni<Boolean> sendChallenge(RoutingContext context) {
        return getChallenge(context).map(challenge -> {
            int status = challenge == null ? 401 : challenge.status;
            var response = context.response();
            if (response.ended() || response.headWritten()) {
                return true;
            }
            response.setStatusCode(status);
            if (challenge != null && challenge.headerName != null) {
                response.putHeader(challenge.headerName, challenge.headerContent);
            }
            if (status == 401) {
                response.putHeader("Content-Type", "application/json").end(new JsonObject()
                        .put("error", "unauthorized").put("message", AuthErrors.UNAUTHORIZED_MESSAGE).encode());
            }
            return true;
        });
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return delegate.getCredentialTypes();
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return delegate.getCredentialTransport(context);
    }

    @Override
    public int getPriority() {
        return delegate.getPriority();
    }
}
