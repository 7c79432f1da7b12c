package io.shiftwork.queries;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.shiftwork.pipelines.ApiException;
import io.shiftwork.statements.RateLimiter;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.redshiftdata.model.ColumnMetadata;
import software.amazon.awssdk.services.redshiftdata.model.DescribeStatementResponse;
import software.amazon.awssdk.services.redshiftdata.model.Field;
import software.amazon.awssdk.services.redshiftdata.model.GetStatementResultResponse;
import software.amazon.awssdk.services.redshiftdata.model.ResourceNotFoundException;
import software.amazon.awssdk.services.redshiftdata.model.SqlParameter;

/**
 * Routed reads: one read-only statement on one consumer, chosen least-in-flight among {@link ReadTargets}'
 * candidates, with failover to the next one when ExecuteStatement itself fails (never once a statement was
 * accepted: it then runs where it was sent). The statement runs as the configured read-only database user
 * ({@code shiftwork.queries.secret-arn} or {@code db-user}) and its values go as Data API parameters. A synchronous
 * read waits (bounded) and reads every result page up to the row limit; an asynchronous one answers its id.
 */
@ApplicationScoped
@Named("routedReads")
@RegisterForReflection
public class RoutedReads {

    private static final Logger LOG = Logger.getLogger(RoutedReads.class);
    static final Pattern STATEMENT_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /**
     * A checked request: one pure read, validated names, values as strings for the Data API; {@code owner} the
     * signed-in principal who sends it (only they, or an admin, may read it back by id).
     */
    public record Request(String sql, Map<String, String> parameters, String database, boolean async, int maxRows,
            String owner) {
    }

    /** The comment a routed read's SQL starts with; the owner tag follows it. */
    static final String TAG = "/* shiftwork-query owner=";

    /**
     * The comment put before a read's SQL: {@code /* shiftwork-query owner=<SHA-256 of the principal, 32 hex>
     * maxRows=<n> *&#47;}. DescribeStatement answers the SQL as submitted, so any replica tells who submitted a read,
     * and how many rows they asked for, for as long as the Data API keeps it (24 h), without a store of its own; the
     * caller's SQL follows it and cannot come before it.
     */
    static String ownerTag(String principal, int maxRows) {
        return TAG + ownerHash(principal) + " maxRows=" + maxRows + " */ ";
    }

    private static String ownerHash(String principal) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(Objects.toString(principal, "").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest, 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A tag as {@link #ownerTag} writes it (maxRows absent in a read submitted before it was added). */
    static final Pattern TAG_READ = Pattern.compile(
            "\\A/\\* shiftwork-query owner=([0-9a-f]{32})(?: maxRows=([0-9]{1,10}))? \\*/ ");

    /** What {@link #ownerTag} adds to a read's SQL at most, in bytes (the Data API's 100 KB counts it). */
    static final int TAG_BYTES = ownerTag("", Integer.MAX_VALUE).length();

    /** A consumer that refused the submit, and why. */
    public record Failover(String consumer, String error) {
    }

    private record Submitted(String queryId, ReadTarget target, List<Failover> failovers) {
    }

    private final RedshiftDataClient data;
    private final ReadTargets targets;
    private final QueriesConfig config;
    private final LeastInFlight router = new LeastInFlight();
    private final RateLimiter executeLimit;
    private final MeterRegistry metrics;
    private final java.time.Clock clock;

    public RoutedReads(RedshiftDataClient data, ReadTargets targets, QueriesConfig config, MeterRegistry metrics,
            java.time.Clock clock) {
        this.data = data;
        this.clock = clock;
        this.targets = targets;
        this.config = config;
        this.metrics = metrics;
        this.executeLimit = new RateLimiter(config.executeRate());
    }

    public LeastInFlight router() {
        return router;
    }

    /** Runs the read: synchronously its result, asynchronously its id (the caller answers 202). */
    public Map<String, Object> run(Request r) {
        long started = System.nanoTime();
        Submitted s = submit(r);
        if (r.async()) {
            router.done(s.target());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("queryId", s.queryId());
            out.put("status", "SUBMITTED");
            out.put("consumer", s.target().toString());
            out.put("database", r.database());
            out.put("failovers", s.failovers());
            return out;
        }
        try {
            DescribeStatementResponse d = waitFor(s.queryId(), started + config.timeout().toNanos());
            Map<String, Object> out = ended(d, s.target(), r.database(), r.maxRows());
            out.put("failovers", s.failovers());
            out.put("durationMs", Duration.ofNanos(System.nanoTime() - started).toMillis());
            return out;
        } catch (software.amazon.awssdk.core.exception.SdkException e) {
            if (!io.shiftwork.pipelines.ApiErrors.awsUnavailable(e)) {
                throw e;
            }
            // submitted, then the Data API stopped answering: the read runs on; its id lets the caller follow or cancel it
            LOG.warnf(e, "routed read %s on %s: the Data API stopped answering after its submit", s.queryId(), s.target());
            throw new ApiException(503, "aws_unavailable", "the read was submitted as " + s.queryId() + " on " + s.target()
                    + ", then the Data API stopped answering: GET /queries/" + s.queryId() + " later for its result, or "
                    + "DELETE it to cancel it", Map.of("queryId", s.queryId()));
        } finally {
            router.done(s.target());
        }
    }

    /** A routed read the caller may see: its description, consumer and the row limit it was submitted with. */
    private record Owned(DescribeStatementResponse d, ReadTarget target, int maxRows) {
    }

    /**
     * The routed read {@code queryId} if the caller may see it; 404 for any statement that is not one, and for one
     * another principal submitted unless the caller is an admin (404, not 403: its existence is not revealed).
     */
    private Owned owned(String queryId, String principal, boolean admin) {
        if (queryId == null || !STATEMENT_ID.matcher(queryId).matches()) {
            throw ApiException.notFound("no routed read with id '" + queryId + "'");
        }
        DescribeStatementResponse d;
        try {
            d = data.describeStatement(b -> b.id(queryId));
        } catch (ResourceNotFoundException e) {
            throw ApiException.notFound("no routed read with id '" + queryId + "' (the Data API keeps results 24 h)");
        }
        ReadTarget target = d.workgroupName() != null ? new ReadTarget(d.workgroupName(), false)
                : new ReadTarget(Objects.toString(d.clusterIdentifier(), ""), true);
        boolean configured = config.consumers().orElse(List.of()).stream().map(String::trim).anyMatch(
                c -> c.equals(target.toString()));
        // only statements that ran as the read-only user on a consumer are routed reads: an admin flow's are not
        boolean asReader = config.secretArn().isPresent() ? config.secretArn().get().equals(d.secretArn())
                : config.dbUser().isPresent() && config.dbUser().get().equals(d.dbUser());
        Matcher tag = TAG_READ.matcher(Objects.toString(d.queryString(), ""));
        boolean tagged = tag.lookingAt();
        boolean mine = tagged && (admin || tag.group(1).equals(ownerHash(principal)));
        if (!configured || !asReader || !mine) {
            throw ApiException.notFound("no routed read with id '" + queryId + "'");
        }
        int maxRows = config.maxRows();
        if (tag.group(2) != null) {
            maxRows = (int) Math.max(1, Math.min(Long.parseLong(tag.group(2)), config.maxRows()));
        }
        return new Owned(d, target, maxRows);
    }

    private static boolean running(DescribeStatementResponse d) {
        return !List.of("FINISHED", "FAILED", "ABORTED").contains(d.statusAsString());
    }

    /** Whether a read submitted at {@code createdAt} is past shiftwork.queries.timeout at {@code at}. */
    private boolean pastTimeout(java.time.Instant createdAt, java.time.Instant at) {
        return createdAt != null && !at.isBefore(createdAt.plus(config.timeout()));
    }

    /**
     * An asynchronous read's state, and its result (up to the maxRows it was submitted with) once it finished. One
     * still running past shiftwork.queries.timeout from its submit is cancelled (CancelStatement) and answered as
     * FAILED with a timeout error — as later reads of it are (ABORTED, ended past the timeout).
     */
    public Map<String, Object> read(String queryId, String principal, boolean admin) {
        Owned o = owned(queryId, principal, admin);
        DescribeStatementResponse d = o.d();
        ReadTarget target = o.target();
        if (running(d) && pastTimeout(d.createdAt(), clock.instant())) {
            cancel(queryId);
            d = data.describeStatement(b -> b.id(queryId)); // FINISHED if it ended meanwhile: then its result
            if (running(d) || "ABORTED".equals(d.statusAsString())) {
                return timedOut(d, target);
            }
        }
        String status = d.statusAsString();
        if (running(d)) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("queryId", queryId);
            out.put("status", status);
            out.put("consumer", target.toString());
            out.put("database", d.database());
            return out;
        }
        if ("ABORTED".equals(status) && d.updatedAt() != null && pastTimeout(d.createdAt(), d.updatedAt())) {
            return timedOut(d, target);
        }
        try {
            return ended(d, target, d.database(), o.maxRows());
        } catch (ApiException failed) {
            if (failed.status() != 422) {
                throw failed;
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("queryId", queryId);
            out.put("status", status);
            out.put("consumer", target.toString());
            out.put("database", d.database());
            out.put("error", d.error());
            missingDatabaseHint(d.error()).ifPresent(h -> out.put("hint", h));
            return out;
        }
    }

    private Map<String, Object> timedOut(DescribeStatementResponse d, ReadTarget target) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("queryId", d.id());
        out.put("status", "FAILED");
        out.put("consumer", target.toString());
        out.put("database", d.database());
        out.put("error", "query_timeout: the read did not finish within shiftwork.queries.timeout (" + config.timeout()
                + ") of its submit at " + d.createdAt() + "; it was cancelled");
        out.put("timedOut", true);
        return out;
    }

    /** CancelStatement; a statement that ended meanwhile (ValidationException) is left as it is. */
    private boolean cancel(String queryId) {
        try {
            return Boolean.TRUE.equals(data.cancelStatement(b -> b.id(queryId)).status());
        } catch (software.amazon.awssdk.services.redshiftdata.model.ValidationException e) {
            LOG.debugf("routed read %s: cancel: %s", queryId, e.getMessage());
            return false;
        }
    }

    /**
     * Cancels a running asynchronous read (same 404 rule as {@link #read}): its state after CancelStatement; 409 for
     * one that has already ended.
     */
    public Map<String, Object> cancel(String queryId, String principal, boolean admin) {
        Owned o = owned(queryId, principal, admin);
        if (!running(o.d()) || !cancel(queryId)) {
            DescribeStatementResponse now = running(o.d()) ? data.describeStatement(b -> b.id(queryId)) : o.d();
            throw new ApiException(409, "query_ended", "the read " + queryId + " has already ended ("
                    + now.statusAsString() + "): nothing to cancel; GET /queries/" + queryId + " reads it",
                    Map.of("queryId", queryId, "status", now.statusAsString()));
        }
        DescribeStatementResponse d = data.describeStatement(b -> b.id(queryId));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("queryId", queryId);
        out.put("status", d.statusAsString());
        out.put("cancelled", true);
        out.put("consumer", o.target().toString());
        out.put("database", d.database());
        return out;
    }

    private Submitted submit(Request r) {
        List<ReadTarget> candidates = targets.candidates();
        if (candidates.isEmpty()) {
            throw new ApiException(503, "no_consumer", "no consumer to read from: shiftwork.queries.consumers names "
                    + "none (or the pool has no healthy one)");
        }
        List<SqlParameter> params = r.parameters().entrySet().stream()
                .map(e -> SqlParameter.builder().name(e.getKey()).value(e.getValue()).build()).toList();
        List<Failover> failovers = new ArrayList<>();
        for (ReadTarget t : router.order(candidates)) {
            String secret = config.secretArn().orElse(null);
            String dbUser = secret == null && t.cluster() ? config.dbUser().orElse(null) : null;
            if (secret == null && dbUser == null) {
                throw new ApiException(503, "queries_not_configured", "routed reads run only as a read-only database "
                        + "user: set shiftwork.queries.secret-arn" + (t.cluster() ? " or shiftwork.queries.db-user" : "")
                        + " (consumer " + t + ")");
            }
            router.started(t);
            try {
                executeLimit.acquire();
                metrics.counter("shiftwork.queries.submits", "consumer", t.toString()).increment();
                String id = data.executeStatement(b -> b
                        .workgroupName(t.cluster() ? null : t.name())
                        .clusterIdentifier(t.cluster() ? t.name() : null)
                        .database(r.database())
                        .secretArn(secret)
                        .dbUser(dbUser)
                        .sql(ownerTag(r.owner(), r.maxRows()) + r.sql())
                        .parameters(params.isEmpty() ? null : params)
                        .statementName("shiftwork-query")).id();
                return new Submitted(id, t, failovers);
            } catch (SdkException e) {
                router.done(t);
                metrics.counter("shiftwork.queries.failovers", "consumer", t.toString()).increment();
                LOG.warnf("routed read: ExecuteStatement on %s failed, trying the next consumer: %s", t, e.getMessage());
                failovers.add(new Failover(t.toString(), e.getMessage()));
            }
        }
        throw new ApiException(502, "consumers_unavailable", "every consumer refused the read: " + failovers.stream()
                .map(f -> f.consumer() + ": " + f.error()).reduce((a, b) -> a + "; " + b).orElse(""),
                Map.of("failovers", failovers));
    }

    private DescribeStatementResponse waitFor(String id, long deadline) {
        long pause = Math.max(1, config.pollInterval().toNanos());
        while (true) {
            DescribeStatementResponse d = data.describeStatement(b -> b.id(id));
            if (List.of("FINISHED", "FAILED", "ABORTED").contains(d.statusAsString())) {
                return d;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                try {
                    data.cancelStatement(b -> b.id(id));
                } catch (SdkException e) {
                    LOG.debugf("routed read %s: cancel after timeout: %s", id, e.getMessage());
                }
                throw new ApiException(504, "query_timeout", "the read did not finish within shiftwork.queries.timeout ("
                        + config.timeout() + "); it was cancelled", Map.of("queryId", id));
            }
            try {
                java.util.concurrent.TimeUnit.NANOSECONDS.sleep(Math.min(pause, left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for read " + id, e);
            }
            pause = Math.min(pause * 2, config.maxPollInterval().toNanos());
        }
    }

    /** Redshift's answer for a database the consumer does not have (as the statement's database or in a name). */
    private static final Pattern NO_DATABASE = Pattern.compile("database \"([A-Za-z_][A-Za-z0-9_$]{0,126})\" does not exist");
    /**
     * PostgreSQL's (the local Redshift's) answer for {@code db.schema.table} where {@code db} is no datashare database
     * of the consumer: it knows no other database in a name.
     */
    private static final Pattern CROSS_DATABASE = Pattern.compile(
            "cross-database references are not implemented: \"?([A-Za-z_][A-Za-z0-9_$]{0,126})\\.");

    /**
     * A hint for a read that failed because the consumer has no such database — typically a datashare's, read before
     * the datashare run created it — or empty. Only for the two error shapes that say so; any other error gets none.
     */
    public static Optional<String> missingDatabaseHint(String error) {
        if (error == null) {
            return Optional.empty();
        }
        Matcher m = NO_DATABASE.matcher(error);
        if (!m.find()) {
            m = CROSS_DATABASE.matcher(error);
            if (!m.find()) {
                return Optional.empty();
            }
        }
        return Optional.of("the consumer has no database '" + m.group(1) + "' yet — has the datashare run "
                + "(POST /pipelines/datashare/runs) created it?");
    }

    /** The answer for an ended statement: its result pages up to maxRows, or 422 naming why it failed. */
    private Map<String, Object> ended(DescribeStatementResponse d, ReadTarget target, String database, int maxRows) {
        if (!"FINISHED".equals(d.statusAsString())) {
            Optional<String> hint = missingDatabaseHint(d.error());
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("queryId", d.id());
            details.put("consumer", target.toString());
            hint.ifPresent(h -> details.put("hint", h));
            throw new ApiException(422, "query_" + d.statusAsString().toLowerCase(java.util.Locale.ROOT),
                    "the read " + d.statusAsString().toLowerCase(java.util.Locale.ROOT) + " on " + target + ": "
                            + d.error() + hint.map(h -> " (" + h + ")").orElse(""), details);
        }
        List<Map<String, String>> columns = new ArrayList<>();
        List<List<Object>> rows = new ArrayList<>();
        long total = 0;
        int pages = 0;
        boolean truncated = false;
        if (Boolean.TRUE.equals(d.hasResultSet())) {
            String token = null;
            do {
                String next = token;
                GetStatementResultResponse page = data.getStatementResult(b -> b.id(d.id()).nextToken(next));
                pages++;
                if (columns.isEmpty() && page.hasColumnMetadata()) {
                    for (ColumnMetadata c : page.columnMetadata()) {
                        Map<String, String> col = new LinkedHashMap<>();
                        col.put("name", c.label() != null ? c.label() : c.name());
                        col.put("type", c.typeName());
                        columns.add(col);
                    }
                }
                if (page.totalNumRows() != null) {
                    total = page.totalNumRows();
                }
                for (List<Field> record : page.records()) {
                    if (rows.size() == maxRows) {
                        truncated = true;
                        break;
                    }
                    List<Object> row = new ArrayList<>(record.size());
                    record.forEach(f -> row.add(io.shiftwork.statements.StatementClient.value(f)));
                    rows.add(row);
                }
                token = page.nextToken() == null || page.nextToken().isEmpty() ? null : page.nextToken();
                if (rows.size() == maxRows && token != null) {
                    truncated = true;
                }
            } while (token != null && !truncated);
            truncated = truncated || total > rows.size();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("queryId", d.id());
        out.put("status", "FINISHED");
        out.put("consumer", target.toString());
        out.put("database", database);
        out.put("columns", columns);
        out.put("rows", rows);
        out.put("rowCount", rows.size());
        out.put("totalRows", total);
        out.put("truncated", truncated);
        out.put("pages", pages);
        return out;
    }
}
