package io.shiftwork.local;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** Starts the emulators alone (like {@code localstack start}), prints their endpoints and waits for Ctrl-C. */
public final class LocalAwsMain {

    private LocalAwsMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        LocalAws local = LocalAws.start(Path.of(System.getProperty("java.io.tmpdir"), "shiftwork-local"));
        local.createLocalRunCluster();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            local.close();
            stop.countDown();
        }));
        System.out.println("Shiftwork emulators are up:");
        local.endpoints().forEach((name, url) -> System.out.println("  " + name + ": " + url));
        System.out.println("Configuration for Shiftwork (also as environment variables):");
        local.config().forEach((k, v) -> System.out.println("  " + k + "=" + v));
        System.out.println("Ctrl-C stops them.");
        stop.await();
    }
}
