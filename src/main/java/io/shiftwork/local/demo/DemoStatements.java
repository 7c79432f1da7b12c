package io.shiftwork.local.demo;

import java.time.Duration;

import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;

/** The demos' way to run their set-up SQL: submitted, then polled every 20 ms until it ends, at most a minute. */
final class DemoStatements {

    private DemoStatements() {
    }

    /**
     * Waits for statement {@code id} (submitted on {@code where}, a cluster or workgroup named in errors) to finish;
     * returns {@code id}. Throws IllegalStateException when it FAILED or was ABORTED, or after a minute.
     */
    static String awaitFinished(RedshiftDataClient data, String id, String where) {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (true) {
            var d = data.describeStatement(b -> b.id(id));
            switch (d.statusAsString()) {
                case "FINISHED" -> {
                    return id;
                }
                case "FAILED", "ABORTED" -> throw new IllegalStateException("demo: " + d.statusAsString() + " on " + where
                        + ": " + d.error());
                default -> {
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("demo: a statement on " + where + " did not finish within a minute");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("demo: interrupted", e);
            }
        }
    }
}
