package io.shiftwork.local;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.SmallRyeConfig;

/**
 * Prints where the service and the local emulators listen, when the dev-mode emulators are on, and, where the
 * local user pool is configured ({@code shiftwork.local.cognito.*}, set by {@link LocalAws#config()}), signs the
 * demo users in (USER_PASSWORD_AUTH, as the console will) and prints a ready-to-paste
 * {@code Authorization: Bearer <token>} line for each. Tokens last an hour (Cognito's default).
 */
@ApplicationScoped
public class LocalBanner {

    void onStart(@Observes StartupEvent ev, @ConfigProperty(name = "shiftwork.local.banner") Optional<String> banner,
            @ConfigProperty(name = "quarkus.http.host", defaultValue = "localhost") String host,
            @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080") int port,
            @ConfigProperty(name = "shiftwork.local.cognito.endpoint") Optional<URI> cognito,
            @ConfigProperty(name = "shiftwork.local.cognito.client-id") Optional<String> clientId,
            @ConfigProperty(name = "quarkus.oidc.token.issuer") Optional<String> issuer, SmallRyeConfig config) {
        banner.ifPresent(b -> System.out.println("\nShiftwork: http://" + ("0.0.0.0".equals(host) ? "localhost" : host)
                + ":" + port + "  (pipelines: /pipelines, health: /q/health, API: /q/swagger-ui)\n" + b + "\n"));
        if (cognito.isPresent() && clientId.isPresent()) {
            Map<String, String> passwords = config.getOptionalValues("shiftwork.local.cognito.passwords", String.class,
                    String.class).orElse(Map.of());
            System.out.println(signIn(cognito.get(), clientId.get(), issuer.orElse("?"), passwords));
        }
    }

    /** The demo users' sign-in, as shell lines: {@code export OPERATOR='Authorization: Bearer …'}. */
    static String signIn(URI cognito, String clientId, String issuer, Map<String, String> passwords) {
        StringBuilder b = new StringBuilder("Sign-in: demo users of the local user pool " + issuer
                + " (passwords generated at this start; tokens valid 1 h). Paste into a shell:\n");
        for (String user : LocalCognito.USERS) {
            String password = passwords.get(user);
            if (password == null) {
                continue;
            }
            try {
                String token = LocalCognito.signIn(cognito, clientId, user, password);
                b.append("export ").append(user.toUpperCase(java.util.Locale.ROOT)).append("='Authorization: Bearer ")
                        .append(token).append("'\n");
            } catch (RuntimeException e) {
                b.append("# ").append(user).append(": sign-in failed: ").append(e.getMessage()).append('\n');
            }
        }
        b.append("# console sign-in (user: password): ");
        passwords.forEach((user, password) -> b.append(user).append(": ").append(password).append("  "));
        return b.append('\n').toString();
    }
}
