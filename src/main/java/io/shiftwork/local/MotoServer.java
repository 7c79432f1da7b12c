package io.shiftwork.local;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * moto in server mode as a child process on a free loopback port: the AWS emulator for the control planes
 * (Redshift, EventBridge, SQS, SNS, DynamoDB, S3, CloudWatch, Lambda). Local runs and tests only.
 */
public final class MotoServer implements AutoCloseable {

    static final String INSTALL_HINT = "moto_server was not found on PATH (or at SHIFTWORK_MOTO_COMMAND). "
            + "Install it with: pip install \"moto[server]\"";

    private final Process process;
    private final URI endpoint;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private MotoServer(Process process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    public static MotoServer start(Path workDir) {
        String command = executable();
        int port = Ports.free();
        try {
            Files.createDirectories(workDir);
            Path log = workDir.resolve("moto-" + port + ".log");
            Process p = new ProcessBuilder(command, "-H", "127.0.0.1", "-p", Integer.toString(port))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            MotoServer moto = new MotoServer(p, URI.create("http://127.0.0.1:" + port));
            moto.awaitUp(log);
            moto.configure();
            return moto;
        } catch (IOException e) {
            throw new IllegalStateException("could not start " + command + ": " + e.getMessage(), e);
        }
    }

    static String executable() {
        String configured = System.getenv("SHIFTWORK_MOTO_COMMAND");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            File candidate = new File(dir, "moto_server");
            if (candidate.canExecute()) {
                return candidate.getAbsolutePath();
            }
        }
        throw new IllegalStateException(INSTALL_HINT);
    }

    public URI endpoint() {
        return endpoint;
    }

    /** Forgets every resource (POST /moto-api/reset), keeping the server settings. */
    public void reset() {
        post("/moto-api/reset", "");
        configure();
    }

    private void configure() {
        // Lambda functions run without Docker, which this machine does not have.
        post("/moto-api/config", "{\"lambda\":{\"use_docker\":false}}");
    }

    private void awaitUp(Path log) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("moto_server exited with " + process.exitValue() + ": "
                        + tail(log));
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(endpoint.resolve("/moto-api/data.json"))
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for moto_server", e);
            }
            sleep(100);
        }
        close();
        throw new IllegalStateException("moto_server did not answer within 60 s: " + tail(log));
    }

    private void post(String path, String body) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(endpoint.resolve(path))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() >= 300) {
                throw new IllegalStateException("moto " + path + " answered " + r.statusCode() + ": " + r.body());
            }
        } catch (IOException e) {
            throw new IllegalStateException("moto " + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
