package io.shiftwork;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged application (target/quarkus-app) started as an operator would: {@code java -jar} in a working
 * directory, configured by system properties and environment, ready when /q/health/ready says so. Used by the
 * integration tests and the benchmarks.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Process process;
    private final int port;
    private final Path log;

    /** CPU time the service's process has used so far (zero where the platform does not say). */
    public java.time.Duration cpuTime() {
        return process.toHandle().info().totalCpuDuration().orElse(java.time.Duration.ZERO);
    }

    private ServiceProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts the service on {@code port} and waits until it is ready (60 s at most). */
    public static ServiceProcess start(Path workDir, int port, Map<String, String> properties, Map<String, String> env)
            throws IOException, InterruptedException {
        // -Dshiftwork.app.native=target/…-runner: the native binary instead (README "Native")
        String binary = System.getProperty("shiftwork.app.native", "");
        String jar = System.getProperty("shiftwork.app.jar", "target/quarkus-app/quarkus-run.jar");
        String app = binary.isBlank() ? jar : binary;
        if (!Files.exists(Path.of(app))) {
            throw new IllegalStateException("no packaged application at " + app + ": run ./mvnw package first");
        }
        List<String> command = new ArrayList<>();
        command.add(binary.isBlank() ? Path.of(System.getProperty("java.home"), "bin", "java").toString()
                : Path.of(binary).toAbsolutePath().toString());
        command.add("-Dquarkus.http.port=" + port);
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        if (binary.isBlank()) {
            command.add("-jar");
            command.add(Path.of(jar).toAbsolutePath().toString());
        }
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.resolve("service.log").toFile()));
        pb.environment().putAll(env);
        ServiceProcess service = new ServiceProcess(pb.start(), port, workDir.resolve("service.log"));
        try {
            service.awaitReady(workDir);
        } catch (IOException | InterruptedException | RuntimeException e) {
            service.close();
            throw e;
        }
        return service;
    }

    /** The service's process id (to stop and continue it as a frozen host would: kill -STOP / -CONT). */
    public long pid() {
        return process.pid();
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * {@code Bearer <access token>} of the local user pool's admin (every role): the packaged service, started with
     * {@link io.shiftwork.local.LocalAws#config()}, accepts that pool's tokens. A fresh sign-in each call.
     */
    public static String bearer(io.shiftwork.local.LocalAws aws) {
        return "Bearer " + aws.cognito().accessToken("admin");
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private void awaitReady(Path workDir) throws IOException, InterruptedException {
        long limit = Long.getLong("shiftwork.it.ready-seconds", 60); // a loaded CI machine may need more
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(limit);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the service exited with status " + process.exitValue() + ": "
                        + Files.readString(workDir.resolve("service.log")));
            }
            try {
                if (HTTP.send(HttpRequest.newBuilder(uri("/q/health/ready")).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the service was not ready within " + limit + " s; see " + workDir.resolve("service.log"));
    }

    /** Stops it as SIGKILL would: no shutdown hooks, nothing flushed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /**
     * Stops it as an operator or Kubernetes would (SIGTERM, then SIGKILL after 30 s, Kubernetes' default grace
     * period) and returns its exit status: 143 for a stop the service handled (128 + SIGTERM), 137 when it had to be
     * killed.
     */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        return process.waitFor();
    }

    /** The service's output so far (stdout and stderr, appended across restarts in one working directory). */
    public String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
