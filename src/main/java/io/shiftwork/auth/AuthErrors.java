package io.shiftwork.auth;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * 401 and 403 as JSON like every other error of the API ({@code {"error", "message"}}): from the HTTP layer (a
 * missing, invalid, expired or foreign token; a path policy) and from {@code @RolesAllowed} in the resources.
 */
@ApplicationScoped
public class AuthErrors {

    @jakarta.inject.Inject
    jakarta.enterprise.inject.Instance<io.quarkus.security.identity.CurrentIdentityAssociation> identities;

    private java.util.Set<String> callerRoles() {
        try {
            io.quarkus.security.identity.SecurityIdentity id = identities.get().getIdentity();
            return id == null || id.isAnonymous() ? java.util.Set.of() : id.getRoles();
        } catch (RuntimeException none) {
            return java.util.Set.of();
        }
    }

    static final String UNAUTHORIZED_MESSAGE = "sign-in required: send Authorization: Bearer <access token> of the "
            + "configured identity provider (missing, invalid, expired or foreign token)";

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).failureHandler(this::failure);
    }

    private void failure(RoutingContext rc) {
        Throwable failure = rc.failure();
        if (rc.response().headWritten()) {
            rc.next();
            return;
        }
        if (failure instanceof AuthenticationFailedException || failure instanceof UnauthorizedException
                || failure instanceof AuthenticationCompletionException || (failure == null && rc.statusCode() == 401)) {
            send(rc, 401, "unauthorized", UNAUTHORIZED_MESSAGE);
        } else if (failure instanceof ForbiddenException || (failure == null && rc.statusCode() == 403)) {
            java.util.Set<String> roles = rc.user() instanceof io.quarkus.vertx.http.runtime.security.QuarkusHttpUser user
                    ? user.getSecurityIdentity().getRoles() : java.util.Set.of();
            send(rc, 403, "forbidden", forbidden(roles));
        } else {
            rc.next();
        }
    }

    private static void send(RoutingContext rc, int status, String error, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("message", message);
        if (status == 401) {
            rc.response().putHeader("WWW-Authenticate", "Bearer");
        }
        rc.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(new JsonObject(body).encode());
    }

    /** The 403 message: names the caller's roles (never the full list of roles the service knows). */
    static String forbidden(java.util.Set<String> callerRoles) {
        java.util.Set<String> held = new java.util.TreeSet<>(callerRoles == null ? java.util.Set.of() : callerRoles);
        return "your roles do not allow this request (your roles: " + (held.isEmpty() ? "none" : String.join(", ", held))
                + "; GET /pipelines says which pipelines you may start)";
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e) {
        return json(401, "unauthorized", UNAUTHORIZED_MESSAGE);
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e) {
        return json(401, "unauthorized", UNAUTHORIZED_MESSAGE);
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return json(403, "forbidden", forbidden(callerRoles()));
    }

    private static Response json(int status, String error, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("message", message);
        Response.ResponseBuilder r = Response.status(status).type(MediaType.APPLICATION_JSON).entity(body);
        if (status == 401) {
            r.header("WWW-Authenticate", "Bearer");
        }
        return r.build();
    }
}
