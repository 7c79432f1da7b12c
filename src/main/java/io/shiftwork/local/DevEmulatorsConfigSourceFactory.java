package io.shiftwork.local;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;

/**
 * In dev mode only ({@code ./mvnw quarkus:dev}), starts the local emulators before any configuration is read
 * and points Shiftwork at them. Its ordinal (275) is above application.properties and below environment
 * variables and system properties, so a real endpoint given on the command line still wins.
 * Off with {@code -Dshiftwork.local.emulators=false}.
 */
public class DevEmulatorsConfigSourceFactory implements ConfigSourceFactory {

    // Dev mode rebuilds config on every reload, in a fresh class loader: the JVM-wide system property keeps
    // the emulators started once.
    private static final String STARTED = "shiftwork.local.started-config";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (!context.getProfiles().contains("dev")) {
            return List.of();
        }
        ConfigValue enabled = context.getValue("shiftwork.local.emulators");
        if (enabled != null && "false".equalsIgnoreCase(enabled.getValue())) {
            return List.of();
        }
        return List.of(new PropertiesConfigSource(startOnceByName(), "shiftwork-local-emulators", 275));
    }

    /**
     * Calls {@link #startOnce()} by a name the native-image analysis cannot fold: the factory is registered for
     * every profile, and a native image built with {@code --link-at-build-time} must not reach {@link LocalAws},
     * whose embedded PostgreSQL is {@code provided} and not in the package (README "Native").
     */
    @SuppressWarnings("unchecked")
    private static Map<String, String> startOnceByName() {
        try {
            Method start = DevEmulatorsConfigSourceFactory.class
                    .getDeclaredMethod(System.getProperty("shiftwork.local.start-method", "startOnce"));
            return (Map<String, String>) start.invoke(null);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static synchronized Map<String, String> startOnce() {
        String started = System.getProperty(STARTED);
        if (started == null) {
            LocalAws local = LocalAws.start(Path.of("target", "emulators").toAbsolutePath());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                awaitApplicationStopped();
                local.close();
            }, "shiftwork-emulators-stop"));
            local.createLocalRunCluster();
            Map<String, String> config = new HashMap<>(local.config());
            StringBuilder banner = new StringBuilder("Shiftwork local emulators:");
            local.endpoints().forEach((name, url) -> banner.append("\n  ").append(name).append(": ").append(url));
            config.put("shiftwork.local.banner", banner.toString());
            started = write(config);
            System.setProperty(STARTED, started);
        }
        return read(started);
    }

    /**
     * On Ctrl-C the JVM runs every shutdown hook at once: the service's (Camel's consumers, lease release) would
     * still be talking to moto and the local Redshift this hook stops. Waits for the application to stop, at most
     * 30 s. (Embedded PostgreSQL stops on a hook of its own.)
     */
    private static void awaitApplicationStopped() {
        io.quarkus.runtime.Application app = io.quarkus.runtime.Application.currentApplication();
        if (app == null) {
            return;
        }
        Thread waiter = new Thread(app::awaitShutdown, "shiftwork-emulators-await-stop");
        waiter.setDaemon(true);
        waiter.start();
        try {
            waiter.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String write(Map<String, String> config) {
        Properties p = new Properties();
        p.putAll(config);
        StringWriter out = new StringWriter();
        try {
            p.store(out, null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    private static Map<String, String> read(String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Map<String, String> m = new HashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
        return m;
    }
}
