package io.shiftwork.pipelines;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

/**
 * Who is calling the HTTP API, for the audit record of the runs they start: the {@link SecurityIdentity} the
 * sign-in established (anonymous until there is one) and the connection's peer address. Headers such as
 * X-Forwarded-User are never trusted; X-Forwarded-For only through Quarkus' own proxy settings
 * ({@code quarkus.http.proxy.*}), which rewrite the peer address.
 */
@ApplicationScoped
public class Callers {

    public static final String ANONYMOUS = "anonymous";

    private final Instance<SecurityIdentity> identity;

    public Callers(Instance<SecurityIdentity> identity) {
        this.identity = identity;
    }

    public StartedBy http(HttpServerRequest request) {
        String principal = ANONYMOUS;
        List<String> roles = List.of();
        if (identity.isResolvable()) {
            SecurityIdentity id = identity.get();
            if (!id.isAnonymous() && id.getPrincipal() != null) {
                principal = id.getPrincipal().getName();
                roles = id.getRoles().stream().sorted().toList();
            }
        }
        SocketAddress peer = request == null ? null : request.remoteAddress();
        return new StartedBy(principal, roles, Trigger.HTTP.id(), peer == null ? null : peer.hostAddress());
    }
}
