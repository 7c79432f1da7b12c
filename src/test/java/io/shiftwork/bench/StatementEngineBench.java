package io.shiftwork.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.shiftwork.ServiceProcess;
import io.shiftwork.local.LocalAws;

/**
 * The statement engine under load: the packaged service (target/quarkus-app) with the local emulators, an
 * operator routes directory defining a sequence of trivial statements, many runs at once. Prints the overhead
 * from a completion received to the next ExecuteStatement sent (p50/p99), sustained completions per second,
 * and Data API calls per statement, in event mode and in poll mode.
 * Usage: {@code bench/run statements [runs] [stepsPerRun]}.
 */
public final class StatementEngineBench {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        boolean dynamoLocal = java.util.Arrays.asList(args).contains("dynamodb-local");
        Path work = Files.createTempDirectory("shiftwork-bench");
        Path routes = Files.createDirectories(work.resolve("routes"));
        Files.writeString(routes.resolve("bench.camel.yaml"), flow(steps));
        try (LocalAws aws = LocalAws.start(Path.of("target", "emulators").toAbsolutePath())) {
            System.out.printf("statement engine, %d cores; event mode %d runs x %d steps, poll mode %d runs x %d steps; DynamoDB: %s%n",
                    Runtime.getRuntime().availableProcessors(), runs, steps, Math.max(1, runs / 5), steps,
                    dynamoLocal ? "DynamoDB Local" : "moto");
            for (boolean events : new boolean[] { true, false }) {
                aws.reset();
                aws.createClusters("bench");
                // poll mode spends moto's single core on O(table) index queries: a fifth of the load
                if (dynamoLocal) {
                    try (DynamoDbLocal ddb = DynamoDbLocal.start(work)) {
                        System.out.println(measure(aws, work, routes, events ? runs : Math.max(1, runs / 5), steps, events,
                                Map.of("quarkus.dynamodb.endpoint-override", ddb.endpoint())));
                    }
                } else {
                    System.out.println(measure(aws, work, routes, events ? runs : Math.max(1, runs / 5), steps, events, Map.of()));
                }
            }
        }
    }

    private static String flow(int steps) {
        StringBuilder names = new StringBuilder();
        StringBuilder yaml = new StringBuilder();
        for (int i = 1; i <= steps; i++) {
            String step = String.format(Locale.ROOT, "bench-step-%02d", i);
            names.append(i > 1 ? "," : "").append("direct:").append(step);
            yaml.append("- route:\n    id: ").append(step).append("\n    from:\n      uri: direct:").append(step)
                    .append("\n      steps:\n        - setHeader:\n            name: shiftworkSql\n            constant: \"select ")
                    .append(i).append("\"\n        - to:\n            uri: direct:redshift-statement\n");
        }
        return "- route:\n    id: stored-procedures\n    from:\n      uri: direct:pipeline-stored-procedures\n      steps:\n"
                + "        - setHeader:\n            name: shiftworkSteps\n            constant: \"" + names + "\"\n"
                + "        - to:\n            uri: direct:shiftwork-sequence\n" + yaml;
    }

    private static String measure(LocalAws aws, Path work, Path routes, int runs, int steps, boolean events,
            Map<String, String> extra) throws Exception {
        int port = ServiceProcess.freePort();
        Map<String, String> properties = new java.util.HashMap<>(aws.config());
        properties.putAll(extra);
        properties.putAll(Map.of("shiftwork.bootstrap", "true", "shiftwork.routes.dir", "file:" + routes,
                "shiftwork.statements.cluster-identifier", "bench", "shiftwork.statements.db-user", "bench",
                "shiftwork.statements.events", Boolean.toString(events),
                // the emulator has no quota: let the engine go as fast as it can
                "shiftwork.statements.execute-rate", "100000", "shiftwork.statements.describe-rate", "100000",
                // moto answers ReceiveMessage only once it has the whole batch: one message at a time
                "shiftwork.statements.receive-max-messages", "1", "shiftwork.statements.receive-wait-seconds", "1",
                "shiftwork.statements.consumers", "8"));
        properties.put("quarkus.log.level", "WARN");
        // poll mode: first poll after 100 ms (production default 1 s), so a trivial statement needs one
        properties.put("shiftwork.statements.poll-initial", "PT0.1S");
        properties.put("shiftwork.statements.poller-interval", events ? "PT1S" : "PT0.2S");
        // -Dbench.service.java-options="-XX:StartFlightRecording=filename=/tmp/{mode}.jfr": JVM options of the service
        // (e.g. to profile it); {mode} becomes event or poll
        String javaOptions = System.getProperty("bench.service.java-options", "").replace("{mode}", events ? "event" : "poll");
        try (ServiceProcess app = ServiceProcess.start(work, port, properties,
                javaOptions.isBlank() ? Map.of() : Map.of("JAVA_TOOL_OPTIONS", javaOptions))) {
            auth = ServiceProcess.bearer(aws);
            if (events) {
                // moto's EventBridge spends ~240 ms of CPU per event delivered to SQS; the engine is measured here
                aws.redshift().dataApi().eventsToQueue(aws.config().get("shiftwork.aws.endpoint-override")
                        + "/123456789012/shiftwork-redshift-data-events");
            }
            for (int i = 0; i < 3; i++) {
                awaitAll(port, List.of(start(port)));
            }
            // latency: one run at a time, so the overhead is the engine's, not queueing in the emulators
            for (int i = 0; i < runs; i++) {
                awaitAll(port, List.of(start(port)));
            }
            Map<String, Double> latency = metrics(port);
            // throughput: every run at once
            Map<String, Double> before = latency;
            long t0 = System.nanoTime();
            long machineCpu0 = machineCpuMs();
            long serviceCpu0 = app.cpuTime().toMillis();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                ids.add(start(port));
            }
            awaitAll(port, ids);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long machineCpu = machineCpuMs() - machineCpu0;
            long serviceCpu = app.cpuTime().toMillis() - serviceCpu0;
            Map<String, Double> after = metrics(port);
            double statements = delta(before, after, "shiftwork_statements_submitted_total");
            double execute = delta(before, after, "shiftwork_redshift_data_calls_total{operation=\"ExecuteStatement\"");
            double describe = delta(before, after, "shiftwork_redshift_data_calls_total{operation=\"DescribeStatement\"");
            String mode = events ? "event" : "poll";
            String human = String.format(Locale.ROOT,
                    "%s mode: %.0f completions/s sustained (%d statements at once in %.1f s); resume overhead (runs one at a time) p50 %.2f ms, p99 %.2f ms;"
                            + " per statement %.2f ExecuteStatement + %.2f DescribeStatement; CPU per completion %.1f ms"
                            + " (whole machine: service, emulators, bench), of it the service %.1f ms",
                    mode, statements / seconds, (long) statements, seconds, latency.getOrDefault(q("0.5"), 0.0) * 1000,
                    latency.getOrDefault(q("0.99"), 0.0) * 1000, execute / statements, describe / statements,
                    machineCpu / statements, serviceCpu / statements);
            String jsonLine = String.format(Locale.ROOT,
                    "{\"bench\":\"statements\",\"dynamodb\":\"%s\",\"mode\":\"%s\",\"statements\":%d,\"completionsPerSecond\":%.1f,"
                            + "\"overheadP50Ms\":%.2f,\"overheadP99Ms\":%.2f,\"executePerStatement\":%.2f,\"describePerStatement\":%.2f,"
                            + "\"machineCpuMsPerCompletion\":%.1f,\"serviceCpuMsPerCompletion\":%.1f}",
                    extra.isEmpty() ? "moto" : "dynamodb-local", mode, (long) statements, statements / seconds,
                    latency.getOrDefault(q("0.5"), 0.0) * 1000,
                    latency.getOrDefault(q("0.99"), 0.0) * 1000, execute / statements, describe / statements,
                    machineCpu / statements, serviceCpu / statements);
            return human + "\n" + jsonLine;
        }
    }

    /** Busy CPU time of the whole machine so far (Linux /proc/stat: user, nice, system, irq, softirq). */
    private static long machineCpuMs() throws java.io.IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long jiffies = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                + Long.parseLong(f[7]);
        return jiffies * 10; // USER_HZ 100
    }

    private static String q(String quantile) {
        return "shiftwork_statements_resume_overhead_seconds{quantile=\"" + quantile + "\"}";
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String prefix) {
        return sum(after, prefix) - sum(before, prefix);
    }

    private static double sum(Map<String, Double> m, String prefix) {
        return m.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToDouble(Map.Entry::getValue).sum();
    }

    private static Map<String, Double> metrics(int port) throws Exception {
        String text = HTTP.send(authorized(URI.create("http://127.0.0.1:" + port + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> out = new java.util.HashMap<>();
        Matcher m = Pattern.compile("(?m)^(shiftwork_[^ ]+) ([0-9.eE+-]+|NaN)$").matcher(text);
        while (m.find()) {
            out.put(m.group(1), m.group(2).equals("NaN") ? 0.0 : Double.parseDouble(m.group(2)));
        }
        return out;
    }

    private static String start(int port) throws Exception {
        HttpResponse<String> r = HTTP.send(authorized(URI.create("http://127.0.0.1:" + port
                + "/pipelines/stored-procedures/runs")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new IllegalStateException(r.body());
        }
        return JSON.readTree(r.body()).get("runId").asText();
    }

    private static void awaitAll(int port, List<String> ids) throws Exception {
        long deadline = System.nanoTime() + 600_000_000_000L;
        for (String id : ids) {
            while (true) {
                String body = HTTP.send(authorized(URI.create("http://127.0.0.1:" + port + "/runs/" + id)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                String status = JSON.readTree(body).path("status").asText();
                if (status.equals("SUCCEEDED")) {
                    break;
                }
                if (status.equals("FAILED") || System.nanoTime() > deadline) {
                    throw new IllegalStateException("run " + id + ": " + body);
                }
                // each look is a GetItem on moto, which serves the engine too: look every 50 ms, not more
                Thread.sleep(ids.size() > 1 ? 250 : 50);
            }
        }
    }

    /** Amazon's DynamoDB Local, in memory, as a separate process (its jars from bench/emulators/pom.xml). */
    private static final class DynamoDbLocal implements AutoCloseable {
        private final Process process;
        private final int port;

        private DynamoDbLocal(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        static DynamoDbLocal start(Path work) throws Exception {
            String classpath = Files.readString(Path.of(System.getProperty("bench.dynamodb-local.classpath"))).trim();
            Path natives = Files.createDirectories(work.resolve("sqlite-native"));
            for (String entry : classpath.split(java.io.File.pathSeparator)) {
                if (entry.contains("libsqlite4java-linux-amd64")) {
                    Files.copy(Path.of(entry), natives.resolve("libsqlite4java-linux-amd64.so"),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            int port = ServiceProcess.freePort();
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dsqlite4java.library.path=" + natives, "-cp", classpath,
                    "com.amazonaws.services.dynamodbv2.local.main.ServerRunner", "-inMemory", "-sharedDb", "-port",
                    Integer.toString(port)).directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("dynamodb-local.log").toFile())).start();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < deadline) {
                try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                    return new DynamoDbLocal(p, port);
                } catch (java.io.IOException notYet) {
                    Thread.sleep(100);
                }
            }
            p.destroyForcibly();
            throw new IllegalStateException("DynamoDB Local did not start; see " + work.resolve("dynamodb-local.log"));
        }

        String endpoint() {
            return "http://127.0.0.1:" + port;
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            process.waitFor();
        }
    }

    /** The admin's token of the local user pool, taken when the service started. */
    private static volatile String auth;

    private static HttpRequest.Builder authorized(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", auth);
    }
}
