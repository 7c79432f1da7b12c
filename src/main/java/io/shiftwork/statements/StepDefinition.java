package io.shiftwork.statements;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One step of a flow as its YAML declares it, by kind — never learned from what the step does when it runs:
 * <ul>
 * <li>{@code sql}: one statement ({@code sql}, {@code :name} placeholders bound as Data API parameters);</li>
 * <li>{@code file}: the one statement in a file under {@code sql/} ({@code file}); named after the file by default;</li>
 * <li>{@code batch}: several statements ({@code statements}, 1 to 40) run by BatchExecuteStatement in one transaction,
 * each sub-statement's status and rows recorded (no placeholders: BatchExecuteStatement takes no parameters);</li>
 * <li>{@code route}: a {@code direct:} route ({@code route}), run as it is (it may submit a statement itself through
 * {@code direct:redshift-statement}); named after the route by default.</li>
 * </ul>
 * {@code timeout} (ISO-8601, e.g. {@code PT2H}): how long the step's statement may run. {@code results} ({@code sql}
 * and {@code file} only): a {@code direct:} route given the statement's whole result once it FINISHED — every page
 * of GetStatementResult, reconciled with TotalNumRows. Pure.
 */
@RegisterForReflection
public record StepDefinition(String name, Kind kind, String sql, String file, List<String> statements, String route,
        String timeout, String results) {

    public enum Kind {
        SQL, FILE, BATCH, ROUTE;

        static Kind of(String text) {
            for (Kind k : values()) {
                if (k.name().equalsIgnoreCase(text)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("kind '" + text + "' is not one of sql, file, batch, route");
        }
    }

    /** BatchExecuteStatement's Sqls: 1 to 40 statements. */
    static final int MAX_BATCH = 40;
    private static final String NAME = "[A-Za-z0-9_-]{1,100}";
    private static final Set<String> KEYS = Set.of("name", "kind", "sql", "file", "statements", "route", "timeout", "results");

    /** Whether the step submits a statement itself (sql, file, batch): known before it runs. */
    public boolean submitsStatement() {
        return kind != Kind.ROUTE;
    }

    /** The step as kept with the run (a JSON object, no empty fields). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("kind", kind.name().toLowerCase());
        put(m, "sql", sql);
        put(m, "file", file);
        put(m, "statements", statements);
        put(m, "route", route);
        put(m, "timeout", timeout);
        put(m, "results", results);
        return m;
    }

    private static void put(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    /**
     * A flow's steps: a YAML list of {@code {name, kind, sql | file | statements | route, timeout, results}} (as a
     * string, e.g. a block in the route's YAML, or already a list), or the earlier comma-separated form
     * {@code direct:a,sql:etl/b.sql} (route and file steps). Step names must be unique.
     */
    public static List<StepDefinition> parseAll(Object raw) {
        if (raw == null) {
            throw new IllegalArgumentException("the flow names no steps (header " + StepSequence.STEPS + ")");
        }
        List<?> items;
        if (raw instanceof List<?> l) {
            items = l;
        } else {
            String text = String.valueOf(raw).strip();
            if (text.startsWith("-") || text.startsWith("[")) {
                Object loaded;
                try {
                    loaded = new Load(LoadSettings.builder().setLabel(StepSequence.STEPS).build()).loadFromString(text);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("the flow's steps are not a YAML list: " + e.getMessage());
                }
                if (!(loaded instanceof List<?> l)) {
                    throw new IllegalArgumentException("the flow's steps must be a YAML list");
                }
                items = l;
            } else {
                items = List.of(text.split(",")).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
            }
        }
        if (items.isEmpty()) {
            throw new IllegalArgumentException("the flow names no steps (header " + StepSequence.STEPS + ")");
        }
        List<StepDefinition> steps = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            Object item = items.get(i);
            StepDefinition step;
            try {
                step = item instanceof Map<?, ?> m ? of(m) : endpoint(String.valueOf(item).trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("step " + (i + 1) + ": " + e.getMessage());
            }
            if (!names.add(step.name())) {
                throw new IllegalArgumentException("the flow names step '" + step.name() + "' twice: step names must be unique");
            }
            steps.add(step);
        }
        return steps;
    }

    /** One step from its declared fields. */
    public static StepDefinition of(Map<?, ?> m) {
        for (Object key : m.keySet()) {
            if (!KEYS.contains(String.valueOf(key))) {
                throw new IllegalArgumentException("unknown field '" + key + "' (a step has " + new java.util.TreeSet<>(KEYS) + ")");
            }
        }
        Object kindText = m.get("kind");
        if (kindText == null) {
            throw new IllegalArgumentException("a step needs a kind: sql, file, batch or route");
        }
        Kind kind = Kind.of(String.valueOf(kindText));
        String name = text(m, "name");
        String sql = text(m, "sql");
        String file = text(m, "file");
        String route = text(m, "route");
        String timeout = text(m, "timeout");
        String results = text(m, "results");
        List<String> statements = null;
        Object rawStatements = m.get("statements");
        if (rawStatements != null) {
            if (!(rawStatements instanceof List<?> l)) {
                throw new IllegalArgumentException("statements must be a list of SQL statements");
            }
            statements = l.stream().map(s -> s == null ? "" : String.valueOf(s).strip()).toList();
        }
        only(kind, "sql", sql, Kind.SQL);
        only(kind, "file", file, Kind.FILE);
        only(kind, "statements", statements, Kind.BATCH);
        only(kind, "route", route, Kind.ROUTE);
        if (results != null && kind != Kind.SQL && kind != Kind.FILE) {
            throw new IllegalArgumentException("results is for sql and file steps");
        }
        switch (kind) {
            case SQL -> require(sql, "a sql step needs sql");
            case FILE -> {
                require(file, "a file step needs file (a path under sql/)");
                if (name == null) {
                    name = fileStepName(file);
                }
            }
            case BATCH -> {
                if (statements == null || statements.isEmpty() || statements.size() > MAX_BATCH) {
                    throw new IllegalArgumentException("a batch step needs statements: 1 to " + MAX_BATCH
                            + " (BatchExecuteStatement's limit)");
                }
                for (int i = 0; i < statements.size(); i++) {
                    if (statements.get(i).isEmpty()) {
                        throw new IllegalArgumentException("statement " + (i + 1) + " of the batch is empty");
                    }
                }
            }
            case ROUTE -> {
                require(route, "a route step needs route (direct:<name>)");
                if (name == null) {
                    name = routeStepName(route);
                } else {
                    routeStepName(route);
                }
            }
        }
        if (results != null) {
            routeStepName(results);
        }
        if (name == null || !name.matches(NAME)) {
            throw new IllegalArgumentException("step name '" + name + "' must be 1 to 100 letters, digits, '-' or '_'");
        }
        if (timeout != null) {
            timeout(timeout, name);
        }
        return new StepDefinition(name, kind, sql, file, statements, route, timeout, results);
    }

    /** The earlier form: {@code direct:<name>} (a route step) or {@code sql:<file>} (a file step). */
    static StepDefinition endpoint(String endpoint) {
        if (endpoint.startsWith("sql:")) {
            String file = endpoint.substring("sql:".length());
            return new StepDefinition(fileStepName(file), Kind.FILE, null, file, null, null, null, null);
        }
        if (!endpoint.startsWith("direct:")) {
            routeStepName(endpoint); // names the endpoint in its refusal
        }
        String route = endpoint;
        return new StepDefinition(routeStepName(route), Kind.ROUTE, null, null, null, route, null, null);
    }

    /** The step's timeout, validated: a positive ISO-8601 duration. */
    static Duration timeout(String text, String step) {
        try {
            Duration d = Duration.parse(text.trim());
            if (!d.isNegative() && !d.isZero()) {
                return d;
            }
        } catch (RuntimeException e) {
            // answered below
        }
        throw new IllegalArgumentException("step '" + step + "': timeout must be a positive ISO-8601 duration such as PT2H, got '"
                + text + "'");
    }

    private static String fileStepName(String file) {
        String base = file.substring(file.lastIndexOf('/') + 1);
        if (!base.endsWith(".sql") || !base.substring(0, base.length() - 4).matches(NAME)) {
            throw new IllegalArgumentException("step 'sql:" + file + "' must be sql:<path>/<name>.sql with a name of "
                    + "letters, digits, '-' or '_'");
        }
        return base.substring(0, base.length() - 4);
    }

    private static String routeStepName(String route) {
        String name = route.startsWith("direct:") ? route.substring("direct:".length()) : null;
        if (name == null || !name.matches(NAME)) {
            throw new IllegalArgumentException("step endpoint '" + route + "' must be direct:<name> or sql:<file>.sql, "
                    + "with a name of letters, digits, '-' or '_'");
        }
        return name;
    }

    private static void only(Kind kind, String field, Object value, Kind owner) {
        if (value != null && kind != owner) {
            throw new IllegalArgumentException(field + " is for " + owner.name().toLowerCase() + " steps, not "
                    + kind.name().toLowerCase() + " steps");
        }
    }

    private static void require(String value, String message) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(message);
        }
    }

    private static String text(Map<?, ?> m, String key) {
        Object v = m.get(key);
        return v == null ? null : String.valueOf(v);
    }
}
