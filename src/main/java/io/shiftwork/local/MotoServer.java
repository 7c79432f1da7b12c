package io.shiftwork.local;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * moto in server mode as a child process on a free loopback port: the AWS emulator for the control planes
 * (Redshift, EventBridge, SQS, SNS, DynamoDB, S3, CloudWatch, Lambda). It runs through the project's extension
 * ({@code local/moto/shiftwork_moto.py}, copied out of the classpath into the work directory), which adds
 * CopyClusterSnapshot and enforces the Redshift rules moto lets pass (state preconditions, transitional states,
 * DescribeClusterSnapshots filters and paging) before starting moto's own server. Local runs and tests only.
 */
public final class MotoServer implements AutoCloseable {

    static final String INSTALL_HINT = "no python3 with moto found (SHIFTWORK_MOTO_PYTHON, else python3 on PATH). "
            + "Install moto with: pip install \"moto[server]\" (or point SHIFTWORK_MOTO_PYTHON at the python that has it)";
    static final String EXTENSION = "local/moto/shiftwork_moto.py";

    private final Process process;
    private final URI endpoint;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** The extension's settings as last set: re-applied after a reset, which keeps them anyway. */
    private final Map<String, Object> settings = new LinkedHashMap<>();

    private MotoServer(Process process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    public static MotoServer start(Path workDir) {
        String python = python();
        int port = Ports.free();
        try {
            Files.createDirectories(workDir);
            Path script = workDir.resolve("shiftwork_moto.py");
            try (InputStream in = MotoServer.class.getClassLoader().getResourceAsStream(EXTENSION)) {
                if (in == null) {
                    throw new IllegalStateException(EXTENSION + " is missing from the classpath");
                }
                Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            }
            Path log = workDir.resolve("moto-" + port + ".log");
            Process p = new ProcessBuilder(python, "-u", script.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            MotoServer moto = new MotoServer(p, URI.create("http://127.0.0.1:" + port));
            moto.awaitUp(log);
            moto.configure();
            return moto;
        } catch (IOException e) {
            throw new IllegalStateException("could not start moto with " + python + ": " + e.getMessage(), e);
        }
    }

    /** SHIFTWORK_MOTO_PYTHON, else python3 on PATH; either must import moto. */
    static String python() {
        String configured = System.getenv("SHIFTWORK_MOTO_PYTHON");
        List<String> candidates = new ArrayList<>();
        if (configured != null && !configured.isBlank()) {
            candidates.add(configured);
        } else {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                File candidate = new File(dir, "python3");
                if (candidate.canExecute()) {
                    candidates.add(candidate.getAbsolutePath());
                }
            }
        }
        for (String candidate : candidates) {
            if (importsMoto(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(INSTALL_HINT + (candidates.isEmpty() ? "" : "; tried " + candidates));
    }

    private static boolean importsMoto(String python) {
        try {
            Process p = new ProcessBuilder(python, "-c", "import moto, werkzeug").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    /** Forgets every resource (POST /moto-api/reset), keeping the server settings. */
    public void reset() {
        post("/moto-api/reset", "");
        configure();
    }

    /**
     * Sets the extension's settings (POST /_shiftwork/config): {@code transitionSeconds} (creating, pausing,
     * resuming, deleting), {@code snapshotSeconds} (a snapshot's creating), {@code automatedSnapshotSeconds}
     * (between automated snapshots), {@code redshiftHook} (the local Redshift's base URL, told of snapshots,
     * copies, deletes, restores and cluster changes). Numbers and strings only.
     */
    public synchronized void configure(Map<String, ?> values) {
        settings.putAll(values);
        post("/_shiftwork/config", json(values));
    }

    /** The extension's current settings, as JSON (GET /_shiftwork/config). */
    public String settings() {
        return get("/_shiftwork/config");
    }

    private synchronized void configure() {
        // Lambda functions run without Docker, which this machine does not have.
        post("/moto-api/config", "{\"lambda\":{\"use_docker\":false}}");
        if (!settings.isEmpty()) {
            post("/_shiftwork/config", json(settings));
        }
    }

    private static String json(Map<String, ?> values) {
        StringBuilder b = new StringBuilder("{");
        values.forEach((k, v) -> {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append('"').append(k).append("\":");
            if (v == null || v instanceof Number || v instanceof Boolean) {
                b.append(v);
            } else {
                b.append('"').append(v.toString().replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        });
        return b.append('}').toString();
    }

    /**
     * moto's default VPC in the local region (id and CIDR), created by moto with its EC2 backend: where the local
     * Redshift's Serverless workgroups put their VPC endpoints, so an NLB target group can be created in their VPC.
     */
    public String[] defaultVpc() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(endpoint.resolve("/")).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    // moto routes a request to a service by the credential scope of its Authorization header
                    .header("Authorization", "AWS4-HMAC-SHA256 Credential=local/20260101/" + LocalAws.REGION
                            + "/ec2/aws4_request, SignedHeaders=host, Signature=local")
                    .POST(HttpRequest.BodyPublishers.ofString("Action=DescribeVpcs&Version=2016-11-15"
                            + "&Filter.1.Name=is-default&Filter.1.Value.1=true")).build(), HttpResponse.BodyHandlers.ofString());
            java.util.regex.Matcher id = java.util.regex.Pattern.compile("<vpcId>(vpc-[0-9a-f]+)</vpcId>").matcher(r.body());
            java.util.regex.Matcher cidr = java.util.regex.Pattern.compile("<cidrBlock>([0-9./]+)</cidrBlock>").matcher(r.body());
            if (r.statusCode() >= 300 || !id.find() || !cidr.find()) {
                throw new IllegalStateException("moto's DescribeVpcs answered " + r.statusCode() + ": " + r.body());
            }
            return new String[] { id.group(1), cidr.group(1) };
        } catch (IOException e) {
            throw new IllegalStateException("moto DescribeVpcs failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private String get(String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(endpoint.resolve(path)).timeout(Duration.ofSeconds(30))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() >= 300) {
                throw new IllegalStateException("moto " + path + " answered " + r.statusCode() + ": " + r.body());
            }
            return r.body();
        } catch (IOException e) {
            throw new IllegalStateException("moto " + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void awaitUp(Path log) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("moto exited with " + process.exitValue() + ": "
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
                throw new IllegalStateException("interrupted while waiting for moto", e);
            }
            sleep(100);
        }
        close();
        throw new IllegalStateException("moto did not answer within 60 s: " + tail(log));
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
