package io.shiftwork;

import java.nio.file.Path;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.shiftwork.local.LocalAws;

/**
 * The local emulators for @QuarkusTest classes: started once per test JVM on free loopback ports, reset
 * (emptied) for every test class that uses them, stopped when the JVM exits. Fields of type {@link LocalAws}
 * in the test class are injected.
 */
public class LocalAwsTestResource implements QuarkusTestResourceLifecycleManager {

    private static LocalAws local;

    public static synchronized LocalAws local() {
        if (local == null) {
            local = LocalAws.start(Path.of("target", "emulators").toAbsolutePath());
            Runtime.getRuntime().addShutdownHook(new Thread(local::close));
        }
        return local;
    }

    @Override
    public Map<String, String> start() {
        LocalAws aws = local();
        aws.reset();
        return aws.config();
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(local(), new TestInjector.MatchesType(LocalAws.class));
    }

    @Override
    public void stop() {
        // the emulators serve every test class of this JVM; the shutdown hook stops them
    }
}
