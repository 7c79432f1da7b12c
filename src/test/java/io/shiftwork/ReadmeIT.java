package io.shiftwork;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.shiftwork.local.LocalAws;

/**
 * The README's "What you see" block, run exactly as written — command by command in one bash session, so its
 * shell variables carry over — against the packaged service started as the Quick start starts it (dev profile,
 * from a directory holding copies of the repository's routes/ and sql/), each answer checked against the comment under
 * its command ({@code …} matches anything; the answer and the comment are compared with line breaks removed).
 * Only {@code localhost:8080} is replaced by the port the service got.
 *
 * <p>The emulators run in this JVM ({@link LocalAws#start}, the call the dev profile makes at start-up) and the
 * service is told {@code shiftwork.local.emulators=false} plus their endpoints: the package that {@code ./mvnw
 * verify} tests is built without {@code -Plocal}, so embedded PostgreSQL (a {@code provided} dependency) is not in
 * it and the service could not start them itself. Everything else — the dev profile, its demo, its schedules — is
 * the local run's own.
 */
class ReadmeIT {

    private static final String MARK = "__readme_exit_";
    private static final Pattern END = Pattern.compile(MARK + "(\\d+)__");

    @TempDir
    Path work;

    /** One command of the block and the answer written under it (null: none shown). */
    record Entry(String command, String answer) {
    }

    @Test
    void everyCommandOfWhatYouSeeGivesTheAnswerTheReadmeShows() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        assertTrue(readme.contains("java -Dquarkus.profile=dev -jar target/quarkus-app/quarkus-run.jar"),
                "the Quick start this test imitates");
        List<Entry> entries = entries(whatYouSee(readme));
        assertTrue(entries.stream().filter(e -> e.answer() != null).count() >= 10, entries.toString());

        copy(Path.of("routes"), work.resolve("routes"));
        copy(Path.of("sql"), work.resolve("sql"));
        int port = ServiceProcess.freePort();
        long started = System.nanoTime();
        List<String> mismatches = new ArrayList<>(); // every answer is checked, then all that differ are reported
        try (LocalAws aws = LocalAws.start(Path.of("target", "emulators").toAbsolutePath())) {
            Map<String, String> properties = new HashMap<>(aws.config());
            properties.put("quarkus.profile", "dev");
            properties.put("shiftwork.local.emulators", "false");
            try (ServiceProcess service = ServiceProcess.start(work, port, properties, Map.of());
                    Shell shell = new Shell(work);
                    AutoCloseable keepLog = () -> Files.copy(work.resolve("service.log"), Path.of("target", "readme-it-service.log"),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING)) {
                System.out.printf("ReadmeIT: service ready in %d s%n", seconds(started));
                // as the README says: paste the sign-in lines the service printed (export OPERATOR='Authorization: Bearer …')
                List<String> signIn = List.of();
                for (long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); signIn.size() < 4 && System.nanoTime() < until;
                        Thread.sleep(200)) {
                    signIn = Files.readAllLines(work.resolve("service.log")).stream()
                            .filter(l -> l.matches("export [A-Z]+='Authorization: Bearer [A-Za-z0-9_.-]+'")).toList();
                }
                assertEquals(4, signIn.size(), "the service prints a Bearer line for viewer, reader, operator and admin");
                for (String line : signIn) {
                    assertEquals(0, shell.run(line, Duration.ofSeconds(10)).exit(), line);
                }
                for (Entry entry : entries) {
                    String command = entry.command().replace("localhost:8080", "localhost:" + port);
                    Shell.Result result = shell.run(command, Duration.ofMinutes(5));
                    System.out.printf("ReadmeIT: %3d s  $ %s%n%s%n", seconds(started), entry.command(), result.output());
                    assertEquals(0, result.exit(), "exit status of: " + entry.command() + "\n" + result.output());
                    if (entry.answer() != null) {
                        String actual = result.output().replace("\n", "");
                        if (!pattern(entry.answer()).matcher(actual).matches()) {
                            String lastRun = shell.run("curl -s localhost:" + port + "/runs/$RUN", Duration.ofSeconds(30)).output();
                            mismatches.add("the answer of: " + entry.command() + "\n README: " + entry.answer() + "\n actual: "
                                    + actual + "\n (last $RUN: " + lastRun + ")");
                        }
                    }
                }
            }
        }
        assertTrue(mismatches.isEmpty(), mismatches.size() + " answers differ from the README:\n" + String.join("\n", mismatches));
        System.out.printf("ReadmeIT: every README command answered as shown, %d s from the service's start%n", seconds(started));
    }

    /** The repository's folder as a fresh clone has it (the dev profile reads file:routes and file:sql). */
    private static void copy(Path from, Path to) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }

    static String whatYouSee(String readme) {
        int section = readme.indexOf("\n## What you see\n");
        assertTrue(section >= 0, "README has a 'What you see' section");
        int open = readme.indexOf("```bash\n", section);
        int close = readme.indexOf("\n```", open + 8);
        assertTrue(open > 0 && close > open && readme.indexOf("\n## ", section + 1) > close, "a bash block under 'What you see'");
        return readme.substring(open + "```bash\n".length(), close + 1);
    }

    /**
     * Commands (a line and its {@code \} continuations) with the comment lines right under them as their
     * answer; a comment after a blank line describes what follows and is not an answer.
     */
    static List<Entry> entries(String block) {
        List<Entry> entries = new ArrayList<>();
        StringBuilder command = null;
        StringBuilder answer = null;
        boolean continued = false;
        for (String line : block.split("\n", -1)) {
            if (continued) {
                command.append('\n').append(line);
                continued = line.endsWith("\\");
            } else if (line.isBlank()) {
                add(entries, command, answer);
                command = null;
                answer = null;
            } else if (line.startsWith("#")) {
                if (command != null) {
                    answer = answer == null ? new StringBuilder() : answer;
                    answer.append(line.substring(1).strip());
                }
            } else {
                add(entries, command, answer);
                command = new StringBuilder(line);
                answer = null;
                continued = line.endsWith("\\");
            }
        }
        add(entries, command, answer);
        return entries;
    }

    private static void add(List<Entry> entries, StringBuilder command, StringBuilder answer) {
        if (command != null) {
            entries.add(new Entry(command.toString(), answer == null ? null : answer.toString()));
        }
    }

    /** The README's answer as a regular expression: literal but for {@code …}, which matches anything. */
    static Pattern pattern(String answer) {
        StringBuilder regex = new StringBuilder();
        for (String part : answer.split("…", -1)) {
            if (regex.length() > 0) {
                regex.append(".*?");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    private static long seconds(long since) {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - since);
    }

    /** One bash session: commands go to its stdin, each followed by a marker carrying its exit status. */
    static final class Shell implements AutoCloseable {

        record Result(int exit, String output) {
        }

        private final Process bash;
        private final Writer in;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Shell(Path dir) throws IOException {
            bash = new ProcessBuilder("bash", "--noprofile", "--norc").directory(dir.toFile()).redirectErrorStream(true).start();
            in = new java.io.OutputStreamWriter(bash.getOutputStream(), StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(bash.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = out.readLine(); line != null; line = out.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException closed) {
                    // the shell is gone
                }
            }, "readme-shell-output");
            reader.setDaemon(true);
            reader.start();
        }

        Result run(String command, Duration timeout) throws IOException, InterruptedException {
            in.write(command + "\nprintf '\\n" + MARK + "%d__\\n' $?\n");
            in.flush();
            StringBuilder output = new StringBuilder();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    fail("no answer within " + timeout.toSeconds() + " s to: " + command + "\n" + output);
                }
                Matcher end = END.matcher(line);
                if (end.matches()) {
                    String text = output.toString();
                    return new Result(Integer.parseInt(end.group(1)), text.endsWith("\n") ? text.substring(0, text.length() - 1) : text);
                }
                output.append(line).append('\n');
            }
        }

        @Override
        public void close() throws InterruptedException {
            bash.destroy();
            if (!bash.waitFor(5, TimeUnit.SECONDS)) {
                bash.destroyForcibly();
            }
        }
    }
}
