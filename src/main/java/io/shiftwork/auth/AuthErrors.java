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
            // the path policy (quarkus.http.auth.permission.signed-in: every path but health takes viewer) is what
            // denies a caller without viewer here; a caller who holds it was denied by something this cannot name
            String takes = roles.contains(Roles.VIEWER) ? null
                    : takesRole(rc.request().method().name() + " " + rc.normalizedPath(), java.util.List.of(Roles.VIEWER));
            send(rc, 403, "forbidden", forbidden(roles, takes));
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

    /** The 403 message when what the request takes is unknown: names the caller's roles. */
    static String forbidden(java.util.Set<String> callerRoles) {
        return forbidden(callerRoles, null);
    }

    /**
     * The 403 message: what the request takes ({@link #takesRole}; null: unknown) and the caller's roles — never
     * the full list of roles the service knows.
     */
    public static String forbidden(java.util.Set<String> callerRoles, String takes) {
        java.util.Set<String> held = new java.util.TreeSet<>(callerRoles == null ? java.util.Set.of() : callerRoles);
        return (takes == null ? "your roles do not allow this request" : takes) + " (your roles: "
                + (held.isEmpty() ? "none" : String.join(", ", held))
                + "; a role comes from the identity provider's groups that shiftwork.auth.roles.<role> names)";
    }

    /** {@code POST /queries takes the role 'reader'}; of several roles, any one. */
    public static String takesRole(String what, java.util.Collection<String> roles) {
        java.util.List<String> quoted = roles.stream().map(r -> "'" + r + "'").toList();
        return what + (quoted.size() == 1 ? " takes the role " + quoted.get(0)
                : " takes one of the roles " + String.join(", ", quoted));
    }

    /** What the request's resource method takes: its {@code @RolesAllowed}, else its class's; null without either. */
    public static String takes(jakarta.ws.rs.container.ContainerRequestContext request,
            jakarta.ws.rs.container.ResourceInfo resource) {
        jakarta.annotation.security.RolesAllowed allowed = null;
        if (resource != null && resource.getResourceMethod() != null) {
            allowed = resource.getResourceMethod().getAnnotation(jakarta.annotation.security.RolesAllowed.class);
        }
        if (allowed == null && resource != null && resource.getResourceClass() != null) {
            allowed = resource.getResourceClass().getAnnotation(jakarta.annotation.security.RolesAllowed.class);
        }
        if (allowed == null || allowed.value().length == 0) {
            return null;
        }
        String path = request.getUriInfo().getPath();
        return takesRole(request.getMethod() + " " + (path.startsWith("/") ? path : "/" + path),
                java.util.List.of(allowed.value()));
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e) {
        return json(401, "unauthorized", UNAUTHORIZED_MESSAGE);
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e) {
        return json(401, "unauthorized", UNAUTHORIZED_MESSAGE);
    }

    /** A {@code @RolesAllowed} the caller lacks: the 403 names the role the resource method takes. */
    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, jakarta.ws.rs.container.ContainerRequestContext request,
            jakarta.ws.rs.container.ResourceInfo resource) {
        return forbiddenResponse(forbidden(callerRoles(), takes(request, resource)));
    }

    /** A 403 {@code {"error": "forbidden", "message"}}. */
    public static Response forbiddenResponse(String message) {
        return json(403, "forbidden", message);
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
