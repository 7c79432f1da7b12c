package io.shiftwork;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.shiftwork.local.LocalAws;

/**
 * The local emulators for @QuarkusTest classes: started once per test JVM on free loopback ports, reset
 * (emptied) for every test class that uses them, stopped when the JVM exits. Fields of type {@link Emulators}
 * in the test class are injected. After every reset the local user pool is new (moto forgets it): the service is
 * pointed at it and {@link TestTokens} holds a fresh access token of each demo user, the one every RestAssured
 * request sends unless it says otherwise.
 */
public class LocalAwsTestResource implements QuarkusTestResourceLifecycleManager {

    // Quarkus loads this class anew for every application start, so a static field would not be shared: the
    // handle lives in the system properties, holding only JDK types.
    private static final String SHARED = "shiftwork.test.emulators";

    /**
     * The provisioned clusters created in moto after every reset: the local Redshift runs statements only on
     * clusters moto knows ({@code shiftwork.statements.cluster-identifier} in %test is shiftwork-test).
     */
    static final String[] CLUSTERS = {"shiftwork-test"};

    @SuppressWarnings("unchecked")
    static Map<String, Object> shared() {
        synchronized (System.getProperties()) {
            Object handle = System.getProperties().get(SHARED);
            if (handle == null) {
                LocalAws local = LocalAws.start(Path.of("target", "emulators").toAbsolutePath());
                Runtime.getRuntime().addShutdownHook(new Thread(local::close));
                Map<String, Object> h = new HashMap<>();
                h.put("config", Map.copyOf(local.config()));
                h.put("reset", (Runnable) () -> {
                    local.reset();
                    local.createClusters(CLUSTERS);
                    // the new user pool's issuer and its users' tokens
                    h.put("config", Map.copyOf(local.config()));
                    Map<String, String> tokens = new HashMap<>();
                    for (String user : io.shiftwork.local.LocalCognito.USERS) {
                        tokens.put(user, local.cognito().accessToken(user));
                    }
                    h.put(TestTokens.TOKENS, Map.copyOf(tokens));
                    h.put(TestTokens.COGNITO, Map.of("endpoint", local.moto().endpoint().toString(),
                            "clientId", local.cognito().clientId(), "issuer", local.cognito().issuer(),
                            "poolId", local.cognito().poolId()));
                });
                System.getProperties().put(SHARED, h);
                handle = h;
            }
            return (Map<String, Object>) handle;
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> config() {
        return (Map<String, String>) shared().get("config");
    }

    /** The configuration the emulators gave the service after the last reset (moto, local Redshift, user pool). */
    public static Map<String, String> currentConfig() {
        return config();
    }

    @Override
    public Map<String, String> start() {
        ((Runnable) shared().get("reset")).run();
        return new HashMap<>(config());
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(new Emulators(config()), new TestInjector.MatchesType(Emulators.class));
    }

    @Override
    public void stop() {
        // the emulators serve every test class of this JVM; the shutdown hook stops them
    }
}
