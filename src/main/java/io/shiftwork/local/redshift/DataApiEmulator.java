package io.shiftwork.local.redshift;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.shiftwork.statements.NamedParameters;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The Redshift Data API (service id redshift-data, AWS JSON 1.1, target prefix {@code RedshiftData}) with SQL
 * run for real on {@link LocalPostgres}. Statements go SUBMITTED → PICKED → STARTED → FINISHED | FAILED |
 * ABORTED on a bounded pool; with WithEvent=true the completion event AWS sends is put on EventBridge.
 */
public final class DataApiEmulator implements AutoCloseable {

    static final String ACCOUNT = "123456789012";
    private static final Pattern STATEMENT_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(:\\d+)?");
    private static final int MAX_STATEMENTS_KEPT = 50_000;
    /** "Maximum number of active queries (STARTED and SUBMITTED) per cluster or workgroup": the Data API quota. */
    static final int DEFAULT_MAX_ACTIVE_STATEMENTS = 500;
    /** A ClientToken makes a retried submit idempotent for 8 hours. */
    static final Duration CLIENT_TOKEN_LIFETIME = Duration.ofHours(8);
    private static final Pattern CLUSTER_IDENTIFIER = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");
    private static final Pattern WORKGROUP_NAME = Pattern.compile("[a-z0-9-]{3,63}|arn:aws[a-z-]*:redshift-serverless:"
            + "[a-z0-9-]+:\\d{12}:workgroup/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern PARAMETER_NAME = Pattern.compile("[0-9a-zA-Z_]+");
    static final String NO_ENDPOINT = "Redshift endpoint doesn't exist in this region.";

    private final ObjectMapper json = new ObjectMapper();
    private final LocalPostgres pg;
    private final S3Client s3;
    private final EventBridgeClient events;
    private final ServerlessEmulator serverless;
    private final String region;
    private final Faults faults = new Faults();
    private final Map<String, StatementRecord> statements = new ConcurrentHashMap<>();
    private final Map<String, IssuedToken> clientTokens = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> activeByTarget = new ConcurrentHashMap<>();
    private final ClusterStatuses clusters;
    private final ClusterSnapshots clusterSnapshots;
    private volatile Duration clockOffset = Duration.ZERO;
    private volatile int statementsKept = MAX_STATEMENTS_KEPT;
    private final AtomicLong submits = new AtomicLong();
    /** Every ExecuteStatement / BatchExecuteStatement received per StatementName, refused ones included. */
    private final Map<String, AtomicInteger> executeRequests = new ConcurrentHashMap<>();
    private final AtomicLong queryIds = new AtomicLong(1000);
    private final AtomicInteger active = new AtomicInteger();
    private final ThreadPoolExecutor workers;
    private final ExecutorService eventSender;
    private volatile int maxActiveStatements = DEFAULT_MAX_ACTIVE_STATEMENTS;
    /** 0: pages by size only, as AWS does; more: also at most this many rows a page (tests of paging). */
    private volatile int resultPageRows = 0;
    /** "The Data API limit is 100 MB in the result set returned": a GetStatementResult page holds at most this. */
    static final long DEFAULT_RESULT_PAGE_BYTES = 100L * 1024 * 1024;
    private volatile long resultPageBytes = DEFAULT_RESULT_PAGE_BYTES;
    private volatile String eventsQueueUrl;
    private final software.amazon.awssdk.services.sqs.SqsClient sqs;

    private final ProcedureCopies copies = new ProcedureCopies();
    private final Datashares datashares;
    private volatile DatabaseUsers users = new DatabaseUsers(null);

    public DataApiEmulator(LocalPostgres pg, S3Client s3, EventBridgeClient events,
            software.amazon.awssdk.services.sqs.SqsClient sqs, ServerlessEmulator serverless, ClusterStatuses clusters,
            ClusterSnapshots clusterSnapshots, String region, int workerThreads) {
        this.pg = pg;
        this.clusters = clusters;
        this.clusterSnapshots = clusterSnapshots;
        this.s3 = s3;
        this.events = events;
        this.sqs = sqs;
        this.serverless = serverless;
        this.region = region;
        this.datashares = new Datashares(pg, ACCOUNT);
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(workerThreads, workerThreads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> daemon(r, "redshift-data-worker-" + n.incrementAndGet()));
        AtomicInteger e = new AtomicInteger();
        this.eventSender = java.util.concurrent.Executors.newFixedThreadPool(4,
                r -> daemon(r, "redshift-data-events-" + e.incrementAndGet()));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Where a statement's SecretArn is read (moto's Secrets Manager). */
    void secrets(io.shiftwork.local.LocalSecrets secrets) {
        this.users = new DatabaseUsers(secrets);
    }

    public Faults faults() {
        return faults;
    }

    /**
     * The CSV a COPY inside a procedure reads (see {@link ProcedureCopies}); a COPY the emulator refuses is
     * remembered, so the procedure fails with the reason rather than "program failed".
     */
    public String copySource(String hex) {
        try {
            Object command = S3Commands.parse(ProcedureCopies.decode(hex)).orElseThrow(
                    () -> S3Commands.failure("not a COPY statement"));
            if (!(command instanceof S3Commands.Copy copy)) {
                throw S3Commands.failure("not a COPY statement");
            }
            return S3Commands.sourceAsCsv(copy, s3);
        } catch (RuntimeException e) {
            copies.failed(hex, e.getMessage());
            throw e;
        }
    }

    public void maxActiveStatements(int max) {
        this.maxActiveStatements = max;
    }

    /** Moves the emulator's clock (ClientToken expiry) this far ahead of the system clock. */
    public void clockOffset(Duration offset) {
        this.clockOffset = offset;
    }

    private Instant now() {
        return Instant.now().plus(clockOffset);
    }

    /** At most this many rows a GetStatementResult page (0: by size only, as AWS pages). */
    public void resultPageRows(int rows) {
        if (rows < 0) {
            throw new IllegalArgumentException("resultPageRows must be 0 (by size only) or more");
        }
        this.resultPageRows = rows;
    }

    /** At most about this many bytes of records a GetStatementResult page (default 100 MB). */
    public void resultPageBytes(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("resultPageBytes must be positive");
        }
        this.resultPageBytes = bytes;
    }

    /**
     * Benchmarks only: deliver completion events straight to this SQS queue, in the envelope EventBridge would
     * put there, instead of through moto's EventBridge (which spends ~240 ms of CPU routing each event to SQS).
     * Null restores the EventBridge route.
     */
    public void eventsToQueue(String queueUrl) {
        this.eventsQueueUrl = queueUrl;
    }

    public void reset() {
        faults.clear();
        statements.values().forEach(s -> s.cancelled.countDown());
        statements.clear();
        clientTokens.clear();
        activeByTarget.clear();
        clockOffset = Duration.ZERO;
        statementsKept = MAX_STATEMENTS_KEPT;
        maxActiveStatements = DEFAULT_MAX_ACTIVE_STATEMENTS;
        executeRequests.clear();
        resultPageRows = 0;
        resultPageBytes = DEFAULT_RESULT_PAGE_BYTES;
        eventsQueueUrl = null;
        datashares.reset();
        users.reset();
    }

    /** The namespace id data sharing knows a cluster by (GRANT ... TO NAMESPACE '<id>'). */
    public String clusterNamespaceId(String cluster) {
        return datashares.clusterNamespace(cluster);
    }

    private Datashares.Session session(StatementRecord st) {
        String namespace = st.clusterIdentifier != null ? datashares.clusterNamespace(st.clusterIdentifier)
                : serverless.namespaceOfWorkgroup(st.workgroupName).flatMap(serverless::namespaceId)
                        .orElseGet(() -> datashares.clusterNamespace("workgroup/" + st.workgroupName));
        return new Datashares.Session(namespace, st.database, LocalPostgres.databaseName(st.databaseKey));
    }

    /** How many ExecuteStatement / BatchExecuteStatement requests named this statement, refused ones included. */
    public int executeRequests(String statementName) {
        AtomicInteger n = executeRequests.get(statementName);
        return n == null ? 0 : n.get();
    }

    public JsonNode handle(String operation, JsonNode request) {
        if ((operation.equals("ExecuteStatement") || operation.equals("BatchExecuteStatement"))
                && request.hasNonNull("StatementName")) {
            executeRequests.computeIfAbsent(request.get("StatementName").asText(), k -> new AtomicInteger()).incrementAndGet();
        }
        if (faults.throttled(operation)) {
            throw new AwsError(400, "ThrottlingException", "Rate exceeded");
        }
        return switch (operation) {
            case "ExecuteStatement" -> execute(request);
            case "BatchExecuteStatement" -> batchExecute(request);
            case "DescribeStatement" -> describe(request);
            case "GetStatementResult" -> result(request);
            case "CancelStatement" -> cancel(request);
            case "ListStatements" -> list(request);
            default -> throw new AwsError(400, "UnknownOperationException",
                    "The local Redshift Data API does not implement " + operation);
        };
    }

    // ---- ExecuteStatement / BatchExecuteStatement

    private JsonNode execute(JsonNode req) {
        String sql = required(req, "Sql");
        if (sql.isBlank()) {
            throw AwsError.validation("Sql must not be empty");
        }
        checkSqlSize(sql);
        return submit(req, sql, null);
    }

    /** Data API quota "Maximum query statement size: 100 KB", answered with the service's own message. */
    private static void checkSqlSize(String sql) {
        if (sql.length() > 25_000 && sql.getBytes(StandardCharsets.UTF_8).length > 100_000) {
            throw AwsError.validation("Cannot process query string larger than 100kB");
        }
    }

    private JsonNode batchExecute(JsonNode req) {
        JsonNode sqls = req.get("Sqls");
        if (sqls == null || !sqls.isArray() || sqls.isEmpty()) {
            throw AwsError.validation("Sqls must hold 1 to 40 SQL statements");
        }
        if (sqls.size() > 40) {
            throw AwsError.validation("Sqls holds " + sqls.size() + " statements; the limit is 40");
        }
        List<String> list = new ArrayList<>();
        sqls.forEach(s -> list.add(s.asText()));
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).isEmpty()) { // SqlList member: Length Constraints: Minimum length of 1
                throw AwsError.validation("Sqls[" + i + "] must have length greater than or equal to 1");
            }
        }
        list.forEach(DataApiEmulator::checkSqlSize);
        return submit(req, String.join("; ", list), list);
    }

    private JsonNode submit(JsonNode req, String sql, List<String> batch) {
        String cluster = text(req, "ClusterIdentifier");
        String workgroup = text(req, "WorkgroupName");
        String database = text(req, "Database");
        String dbUser = text(req, "DbUser");
        String secretArn = text(req, "SecretArn");
        String name = text(req, "StatementName");
        String token = text(req, "ClientToken");
        if ((cluster == null) == (workgroup == null)) {
            throw AwsError.validation("Exactly one of ClusterIdentifier or WorkgroupName must be specified");
        }
        if (database == null) {
            throw AwsError.validation("Database must be specified");
        }
        if (dbUser != null && secretArn != null) {
            throw AwsError.validation("Only one of DbUser or SecretArn can be specified");
        }
        if (workgroup != null && dbUser != null) {
            throw AwsError.validation("DbUser is not supported with WorkgroupName; use SecretArn or IAM");
        }
        if (cluster != null) {
            constraint(cluster, "clusterIdentifier", cluster.length() <= 63 && CLUSTER_IDENTIFIER.matcher(cluster).matches(),
                    "Member must satisfy regular expression pattern: [a-z][a-z0-9]*(-[a-z0-9]+)* and length 1 to 63");
        }
        if (workgroup != null) {
            constraint(workgroup, "workgroupName", workgroup.length() <= 128 && WORKGROUP_NAME.matcher(workgroup).matches(),
                    "Member must be a workgroup name (3 to 63 of a-z, 0-9, -) or a workgroup ARN");
            workgroup = serverless.workgroupName(workgroup);
        }
        // botocore's redshift-data model (2019-12-20): StatementNameString 0..2048, ClientToken 1..64
        if (name != null) {
            constraint(name.length() + " characters", "statementName", name.length() <= 2048,
                    "Member must have length less than or equal to 2048");
        }
        if (token != null) {
            constraint(token, "clientToken", !token.isEmpty() && token.length() <= 64,
                    "Member must have length between 1 and 64");
        }
        List<Map<String, String>> params = parameters(req.get("Parameters"));
        if (batch != null && !params.isEmpty()) {
            throw AwsError.validation("BatchExecuteStatement does not take Parameters");
        }
        if (batch == null) {
            checkPlaceholders(sql, params);
        }
        Instant clock = now();
        if (token != null) {
            IssuedToken existing = clientTokens.get(token);
            if (existing != null && existing.expiresAt().isAfter(clock)) {
                return existing.response().deepCopy();
            }
        }
        Optional<Faults.Fault> refused = faults.takeRefusal(workgroup, sql);
        if (refused.isPresent()) {
            String code = refused.get().code();
            throw new AwsError(code.startsWith("InternalServer") || code.startsWith("ServiceUnavailable") ? 500 : 400,
                    code, refused.get().message());
        }
        if (submits.incrementAndGet() % 1000 == 0) {
            clientTokens.values().removeIf(t -> !t.expiresAt().isAfter(clock));
        }
        checkTarget(cluster, workgroup);
        String target = targetKey(cluster, workgroup);
        AtomicInteger targetActive = activeByTarget.computeIfAbsent(target, t -> new AtomicInteger());
        if (targetActive.get() >= maxActiveStatements) {
            throw new AwsError(400, "ActiveStatementsExceededException", "The number of active statements on "
                    + (cluster != null ? "cluster " + cluster : "workgroup " + workgroup) + " exceeds the limit of "
                    + maxActiveStatements);
        }
        String key = databaseKey(cluster, workgroup, database);
        String id = UUID.randomUUID().toString();
        Instant now = Instant.now();
        List<StatementRecord> subs = null;
        if (batch != null) {
            subs = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                subs.add(new StatementRecord(id + ":" + (i + 1), batch.get(i), List.of(), cluster, workgroup, database,
                        dbUser, secretArn, name, false, now, key, queryIds.incrementAndGet(), 0, null));
            }
        }
        StatementRecord st = new StatementRecord(id, sql, params, cluster, workgroup, database, dbUser, secretArn,
                name, req.path("WithEvent").asBoolean(false), now, key, batch == null ? queryIds.incrementAndGet() : -1,
                1_073_000 + (int) (queryIds.get() % 100_000), subs);
        ObjectNode response = submitted(st);
        if (token != null) {
            IssuedToken mine = new IssuedToken(response, clock.plus(CLIENT_TOKEN_LIFETIME));
            IssuedToken won = clientTokens.merge(token, mine, (old, neu) -> old.expiresAt().isAfter(clock) ? old : neu);
            if (won != mine) {
                return won.response().deepCopy();
            }
        }
        statements.put(id, st);
        trim();
        active.incrementAndGet();
        targetActive.incrementAndGet();
        workers.execute(() -> run(st));
        return response.deepCopy();
    }

    /** What a ClientToken answered, kept 8 hours whether or not its statement is still kept. */
    private record IssuedToken(ObjectNode response, Instant expiresAt) {
    }

    private static void constraint(String value, String member, boolean ok, String rule) {
        if (!ok) {
            throw AwsError.validation("1 validation error detected: Value '" + value + "' at '" + member
                    + "' failed to satisfy constraint: " + rule);
        }
    }

    private static String targetKey(String cluster, String workgroup) {
        return cluster != null ? "cluster/" + cluster : "workgroup/" + workgroup;
    }

    /**
     * The Data API runs statements only on a cluster that exists and is available (moto says which), or on a
     * workgroup that exists and is AVAILABLE; any other answers ValidationException.
     */
    private void checkTarget(String cluster, String workgroup) {
        if (cluster != null) {
            String status = clusters.status(cluster).orElseThrow(() -> AwsError.validation(NO_ENDPOINT));
            if (!"available".equals(status)) {
                throw AwsError.validation("Cluster " + cluster + " is " + status
                        + ": statements run only on an available cluster");
            }
        } else {
            String status = serverless.workgroupStatus(workgroup).orElseThrow(() -> AwsError.validation(NO_ENDPOINT));
            if (!"AVAILABLE".equals(status)) {
                throw AwsError.validation("Workgroup " + workgroup + " is " + status
                        + ": statements run only on an AVAILABLE workgroup");
            }
            // a namespace being restored (MODIFYING) answers no statement until it is AVAILABLE again
            Optional<String> namespace = serverless.namespaceOfWorkgroup(workgroup);
            String nsStatus = namespace.flatMap(serverless::namespaceStatus).orElse("AVAILABLE");
            if (!"AVAILABLE".equals(nsStatus)) {
                throw AwsError.validation("Namespace " + namespace.get() + " of workgroup " + workgroup + " is " + nsStatus
                        + ": statements run only once it is AVAILABLE");
            }
        }
    }

    private ObjectNode submitted(StatementRecord st) {
        ObjectNode out = json.createObjectNode();
        out.put("Id", st.id);
        out.put("CreatedAt", epoch(st.createdAt));
        putIfSet(out, "ClusterIdentifier", st.clusterIdentifier);
        putIfSet(out, "WorkgroupName", st.workgroupName);
        putIfSet(out, "Database", st.database);
        putIfSet(out, "DbUser", st.dbUser);
        putIfSet(out, "SecretArn", st.secretArn);
        return out;
    }

    private String databaseKey(String cluster, String workgroup, String database) {
        if (cluster != null) {
            return "cluster/" + cluster + "/" + database;
        }
        Optional<String> namespace = serverless.namespaceOfWorkgroup(workgroup);
        return namespace.map(ns -> ServerlessEmulator.namespaceKey(ns, database))
                .orElse("workgroup/" + workgroup + "/" + database);
    }

    private List<Map<String, String>> parameters(JsonNode node) {
        List<Map<String, String>> params = new ArrayList<>();
        if (node == null || node.isNull()) {
            return params;
        }
        // SqlParametersList: at least 1 item; SqlParameter.name pattern [0-9a-zA-Z_]+, value at least 1 character
        if (!node.isArray() || node.isEmpty()) {
            throw AwsError.validation("1 validation error detected: Value '[]' at 'parameters' failed to satisfy "
                    + "constraint: Member must have length greater than or equal to 1");
        }
        int i = 0;
        for (JsonNode p : node) {
            i++;
            String name = p.hasNonNull("name") ? p.get("name").asText() : null;
            String value = p.hasNonNull("value") ? p.get("value").asText() : null;
            if (name == null) {
                throw AwsError.validation("1 validation error detected: Value null at 'parameters." + i
                        + ".member.name' failed to satisfy constraint: Member must not be null");
            }
            constraint(name, "parameters." + i + ".member.name", PARAMETER_NAME.matcher(name).matches(),
                    "Member must satisfy regular expression pattern: [0-9a-zA-Z_]+");
            if (value == null) {
                throw AwsError.validation("1 validation error detected: Value null at 'parameters." + i
                        + ".member.value' failed to satisfy constraint: Member must not be null");
            }
            constraint(value, "parameters." + i + ".member.value", !value.isEmpty(),
                    "Member must have length greater than or equal to 1");
            params.add(Map.of("name", name, "value", value));
        }
        return params;
    }

    private static void checkPlaceholders(String sql, List<Map<String, String>> params) {
        List<String> names = NamedParameters.toPositional(sql).names();
        for (String n : names) {
            if (params.stream().noneMatch(p -> p.get("name").equals(n))) {
                throw AwsError.validation("The SQL uses parameter :" + n + " but no value was given for it");
            }
        }
        for (Map<String, String> p : params) {
            if (!names.contains(p.get("name"))) {
                throw AwsError.validation("Parameter '" + p.get("name") + "' is not used in the SQL");
            }
        }
    }

    // ---- the worker

    private void run(StatementRecord st) {
        long start = System.nanoTime();
        try {
            if (st.terminal()) {
                return;
            }
            st.move("PICKED");
            st.move("STARTED");
            if (st.batch) {
                runBatch(st);
            } else {
                runSingle(st);
            }
            finish(st, "FINISHED", null);
        } catch (Cancelled c) {
            finish(st, "ABORTED", null);
        } catch (Exception e) {
            finish(st, st.cancelled.getCount() == 0 ? "ABORTED" : "FAILED", errorText(e));
        } finally {
            st.durationNanos = System.nanoTime() - start;
            active.decrementAndGet();
            AtomicInteger targetActive = activeByTarget.get(targetKey(st.clusterIdentifier, st.workgroupName));
            if (targetActive != null) {
                targetActive.decrementAndGet();
            }
        }
    }

    private static final class Cancelled extends RuntimeException {
        Cancelled() {
            super("cancelled", null, false, false);
        }
    }

    private void applyFaults(StatementRecord st, String sql) throws InterruptedException {
        Optional<Faults.Fault> fault = faults.take(st.workgroupName, sql);
        if (fault.isEmpty()) {
            return;
        }
        Faults.Fault f = fault.get();
        switch (f.action()) {
            case FAIL -> throw new IllegalStateException(f.message());
            case DELAY -> {
                if (st.cancelled.await((long) (f.seconds() * 1000), TimeUnit.MILLISECONDS)) {
                    throw new Cancelled();
                }
            }
            case HANG -> {
                st.cancelled.await(30, TimeUnit.MINUTES);
                throw new Cancelled();
            }
        }
    }

    private void runSingle(StatementRecord st) throws Exception {
        applyFaults(st, st.sql);
        requireDatabase(st);
        String db = pg.ensure(LocalPostgres.databaseName(st.databaseKey));
        Connection admin = pg.borrow(db);
        String role = null;
        Connection session = admin;
        try {
            role = users.roleFor(st, admin).orElse(null);
            if (role != null) {
                session = pg.borrow(db, role);
            }
            Map<String, String> values = new HashMap<>();
            st.parameters.forEach(p -> values.put(p.get("name"), p.get("value")));
            executeOne(st, admin, session, st.sql, values, role, false);
        } finally {
            if (session != admin) {
                pg.release(db, role, session);
            }
            pg.release(db, admin);
        }
    }

    private void runBatch(StatementRecord st) throws Exception {
        try {
            requireDatabase(st);
        } catch (SQLException e) {
            st.subStatements.get(0).error = errorText(e);
            st.subStatements.get(0).move("FAILED");
            st.subStatements.subList(1, st.subStatements.size()).forEach(sub -> sub.move("ABORTED"));
            throw e;
        }
        String db = pg.ensure(LocalPostgres.databaseName(st.databaseKey));
        Connection admin = pg.borrow(db);
        String role = null;
        Connection session = admin;
        int i = 0;
        try {
            role = users.roleFor(st, admin).orElse(null);
            if (role != null) {
                session = pg.borrow(db, role);
            }
            session.setAutoCommit(false);
            for (; i < st.subStatements.size(); i++) {
                StatementRecord sub = st.subStatements.get(i);
                sub.move("STARTED");
                long t0 = System.nanoTime();
                applyFaults(st, sub.sql);
                executeOne(sub, admin, session, sub.sql, Map.of(), role, true);
                sub.durationNanos = System.nanoTime() - t0;
                sub.move("FINISHED");
            }
            session.commit();
            st.resultRows = st.subStatements.stream().mapToLong(s -> Math.max(0, s.resultRows)).sum();
        } catch (Exception e) {
            if (!session.getAutoCommit()) {
                session.rollback();
            }
            if (i < st.subStatements.size()) {
                StatementRecord failed = st.subStatements.get(i);
                failed.error = errorText(e);
                failed.move(e instanceof Cancelled ? "ABORTED" : "FAILED");
                for (int j = i + 1; j < st.subStatements.size(); j++) {
                    st.subStatements.get(j).move("ABORTED");
                }
            }
            throw e;
        } finally {
            if (session != admin) {
                pg.release(db, role, session);
            }
            pg.release(db, admin);
        }
    }

    /**
     * A statement names a database of its cluster or namespace: its DBName at creation (default {@code dev}), one
     * made by CREATE DATABASE (FROM DATASHARE too) or a restored one. Any other fails the statement as Redshift's
     * connection does; the local Redshift never creates a database a statement names.
     */
    private void requireDatabase(StatementRecord st) throws SQLException {
        String namespace = session(st).namespaceId();
        boolean shared = datashares.isInbound(namespace, st.database);
        boolean exists;
        if (st.clusterIdentifier != null) {
            exists = clusterSnapshots.has(st.clusterIdentifier, st.database)
                    || st.database.equals(clusters.dbName(st.clusterIdentifier).orElse(null));
        } else {
            exists = serverless.namespaceOfWorkgroup(st.workgroupName)
                    .map(ns -> serverless.hasDatabase(ns, st.database)).orElse(false);
        }
        if (!exists && !shared) {
            throw new SQLException("FATAL: database \"" + st.database + "\" does not exist", "3D000");
        }
        if (exists && st.clusterIdentifier != null) {
            clusterSnapshots.used(st.clusterIdentifier, st.database);
        }
    }

    private static final Pattern CREATE_DATABASE = Pattern.compile("(?is)^create\\s+database\\b.*");
    private static final Pattern DROP_DATABASE = Pattern.compile("(?is)^drop\\s+database\\b.*");
    /** Redshift's DROP DATABASE: "You can't drop the dev, padb_harvest, template0, template1, or sys:internal databases". */
    private static final java.util.Set<String> UNDROPPABLE = java.util.Set.of("dev", "padb_harvest", "template0", "template1");

    /**
     * CREATE DATABASE name [[WITH] OWNER [=] user | CONNECTION LIMIT n|UNLIMITED | COLLATE CASE_SENSITIVE|CASE_INSENSITIVE
     * | ISOLATION LEVEL SERIALIZABLE|SNAPSHOT] and DROP DATABASE [IF EXISTS] name of a local database: a database of
     * the statement's cluster or namespace (a PostgreSQL database under its key). Empty when the statement is neither.
     */
    private Optional<Long> localDatabase(StatementRecord st, Connection admin, String sql, String role, boolean inBatch)
            throws SQLException {
        String text = RedshiftDialect.withoutLeadingComments(sql).trim();
        boolean create = CREATE_DATABASE.matcher(text).matches();
        if (!create && !DROP_DATABASE.matcher(text).matches()) {
            return Optional.empty();
        }
        Datashares.Lexer t = new Datashares.Lexer(text);
        t.expect(create ? "create" : "drop");
        t.expect("database");
        boolean ifExists = false;
        if (!create && t.accept("if")) {
            t.expect("exists");
            ifExists = true;
        }
        String name = t.identifier();
        if (create) {
            t.accept("with");
            while (!t.atEnd()) {
                if (t.accept("owner")) {
                    t.acceptSymbol("=");
                    t.identifier();
                } else if (t.accept("connection")) {
                    t.expect("limit");
                    if (!t.accept("unlimited")) {
                        t.number();
                    }
                } else if (t.accept("collate")) {
                    if (!t.accept("case_sensitive")) {
                        t.expect("case_insensitive");
                    }
                } else if (t.accept("isolation")) {
                    t.expect("level");
                    if (!t.accept("serializable")) {
                        t.expect("snapshot");
                    }
                } else {
                    throw t.syntax();
                }
            }
        } else {
            t.end();
        }
        if (inBatch) {
            throw Datashares.error((create ? "CREATE" : "DROP") + " DATABASE cannot run inside a transaction block");
        }
        if (role != null) {
            try (PreparedStatement q = admin.prepareStatement("SELECT rolcreatedb FROM pg_roles WHERE rolname = ?")) {
                q.setString(1, role);
                try (ResultSet r = q.executeQuery()) {
                    if (!r.next() || !r.getBoolean(1)) {
                        throw Datashares.error("permission denied to " + (create ? "create" : "drop") + " database");
                    }
                }
            }
        }
        String namespace = session(st).namespaceId();
        String key = databaseKey(st.clusterIdentifier, st.workgroupName, name);
        synchronized (this) {
            boolean exists = datashares.isInbound(namespace, name) || (st.clusterIdentifier != null
                    ? clusterSnapshots.has(st.clusterIdentifier, name)
                            || name.equals(clusters.dbName(st.clusterIdentifier).orElse(null))
                    : serverless.namespaceOfWorkgroup(st.workgroupName).map(ns -> serverless.hasDatabase(ns, name))
                            .orElse(false));
            if (create) {
                if (exists) {
                    throw Datashares.error("database \"" + name + "\" already exists");
                }
                pg.ensure(LocalPostgres.databaseName(key));
                if (st.clusterIdentifier != null) {
                    clusterSnapshots.used(st.clusterIdentifier, name);
                } else {
                    serverless.namespaceOfWorkgroup(st.workgroupName).ifPresent(ns -> serverless.addDatabase(ns, name));
                }
                datashares.localDatabase(namespace, name);
            } else {
                if (!exists) {
                    if (ifExists) {
                        return Optional.of(0L);
                    }
                    throw Datashares.error("database \"" + name + "\" does not exist");
                }
                if (name.equals(st.database)) {
                    throw Datashares.error("cannot drop the currently open database");
                }
                if (UNDROPPABLE.contains(name)) {
                    throw Datashares.error("cannot drop database \"" + name + "\"");
                }
                // a database created from a datashare was dropped by Datashares already (superusers only)
                pg.drop(LocalPostgres.databaseName(key));
                if (st.clusterIdentifier != null) {
                    clusterSnapshots.forget(st.clusterIdentifier, name);
                } else {
                    serverless.namespaceOfWorkgroup(st.workgroupName).ifPresent(ns -> serverless.removeDatabase(ns, name));
                }
                datashares.forgetLocalDatabase(namespace, name);
            }
        }
        return Optional.of(0L);
    }

    /**
     * @param admin   a superuser's session on the statement's database (data sharing's bookkeeping)
     * @param session where the statement runs: {@code admin}, or a session logged in as {@code role}
     * @param role    the database user the statement runs as (its SecretArn's or DbUser), null: the superuser
     */
    private void executeOne(StatementRecord st, Connection admin, Connection session, String sql, Map<String, String> values,
            String role, boolean inBatch) throws Exception {
        Optional<Object> s3Command = S3Commands.parse(sql);
        if (s3Command.isPresent()) {
            st.resultRows = S3Commands.run(s3Command.get(), session, s3);
            st.hasResultSet = false;
            return;
        }
        if (role != null && Datashares.isCommand(sql)) {
            throw new SQLException("ERROR: permission denied: user \"" + role + "\" may not manage datashares or "
                    + "shared databases (a superuser's, or a granted privilege)");
        }
        Datashares.Session dsSession = session(st);
        Optional<Long> shared = datashares.execute(dsSession, admin, sql);
        if (shared.isEmpty()) {
            shared = localDatabase(st, admin, sql, role, inBatch);
        }
        if (shared.isPresent()) {
            st.resultRows = shared.get();
            st.hasResultSet = false;
            return;
        }
        sql = datashares.rewrite(dsSession, admin, session, sql);
        NamedParameters.Positional positional = NamedParameters.toPositional(
                RedshiftDialect.toPostgres(ProcedureCopies.rewrite(sql)));
        try (PreparedStatement ps = session.prepareStatement(positional.sql())) {
            st.running = ps;
            for (int i = 0; i < positional.names().size(); i++) {
                // Types.OTHER: sent untyped, so PostgreSQL casts the text by context as Redshift does
                ps.setObject(i + 1, values.get(positional.names().get(i)), Types.OTHER);
            }
            if (st.cancelled.getCount() == 0) {
                throw new Cancelled();
            }
            boolean hasResult = ps.execute();
            if (hasResult) {
                try (ResultSet rs = ps.getResultSet()) {
                    st.result = read(rs);
                    st.hasResultSet = true;
                    st.resultRows = st.result.rows().size();
                    st.resultSize = st.result.rows().size() * 16L * Math.max(1, st.result.columns().size());
                }
            } else {
                int count = ps.getUpdateCount();
                st.resultRows = Math.max(count, 0);
                st.hasResultSet = false;
            }
        } finally {
            st.running = null;
        }
    }

    private static StatementRecord.Result read(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        List<StatementRecord.Column> columns = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            columns.add(new StatementRecord.Column(md.getColumnLabel(i), md.getColumnTypeName(i), md.getColumnType(i),
                    md.isNullable(i) != ResultSetMetaData.columnNoNulls, md.getPrecision(i), md.getScale(i),
                    md.getSchemaName(i), md.getTableName(i), md.isSigned(i), md.isCaseSensitive(i), md.isCurrency(i)));
        }
        List<List<Object>> rows = new ArrayList<>();
        while (rs.next()) {
            List<Object> row = new ArrayList<>(columns.size());
            for (int i = 1; i <= columns.size(); i++) {
                row.add(value(rs, i, columns.get(i - 1).jdbcType()));
            }
            rows.add(row);
        }
        return new StatementRecord.Result(columns, rows);
    }

    private static Object value(ResultSet rs, int i, int type) throws SQLException {
        Object v = switch (type) {
            case Types.BIT, Types.BOOLEAN -> rs.getBoolean(i);
            case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT -> rs.getLong(i);
            case Types.REAL, Types.FLOAT, Types.DOUBLE -> rs.getDouble(i);
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY -> rs.getBytes(i);
            default -> rs.getString(i);
        };
        return rs.wasNull() ? null : v;
    }

    private void finish(StatementRecord st, String status, String error) {
        if (st.terminal()) {
            return;
        }
        st.error = error;
        if (st.resultRows < 0) {
            st.resultRows = 0;
        }
        st.move(status);
        if (st.withEvent) {
            eventSender.execute(() -> sendEvent(st));
        }
    }

    private void sendEvent(StatementRecord st) {
        ObjectNode detail = json.createObjectNode();
        detail.put("principal", "arn:aws:iam::" + ACCOUNT + ":user/" + (st.dbUser != null ? st.dbUser : "shiftwork"));
        detail.put("statementName", st.statementName == null ? "" : st.statementName);
        detail.put("statementId", st.id);
        detail.put("redshiftQueryId", st.status.equals("FINISHED") ? st.redshiftQueryId : -1);
        detail.put("state", st.status);
        detail.put("rows", Math.max(0, st.resultRows));
        detail.put("expireAt", st.updatedAt.plusSeconds(24 * 3600).getEpochSecond());
        String resource = st.clusterIdentifier != null
                ? "arn:aws:redshift:" + region + ":" + ACCOUNT + ":cluster:" + st.clusterIdentifier
                : serverless.workgroupArn(st.workgroupName);
        String queue = eventsQueueUrl;
        try {
            if (queue != null) {
                ObjectNode envelope = json.createObjectNode();
                envelope.put("version", "0");
                envelope.put("id", UUID.randomUUID().toString());
                envelope.put("detail-type", "Redshift Data Statement Status Change");
                envelope.put("source", "aws.redshift-data");
                envelope.put("account", ACCOUNT);
                envelope.put("time", Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
                envelope.put("region", region);
                envelope.putArray("resources").add(resource);
                envelope.set("detail", detail);
                sqs.sendMessage(b -> b.queueUrl(queue).messageBody(envelope.toString()));
                return;
            }
            events.putEvents(b -> b.entries(e -> e.source("aws.redshift-data")
                    .detailType("Redshift Data Statement Status Change")
                    .resources(resource)
                    .detail(detail.toString())));
        } catch (RuntimeException e) {
            System.err.println("local Redshift: could not put the completion event of " + st.id + ": " + e.getMessage());
        }
    }

    private String errorText(Exception e) {
        if (e instanceof SQLException sql) {
            String msg = sql.getMessage();
            int nl = msg.indexOf('\n');
            return copies.explain(nl > 0 ? msg.substring(0, nl) : msg);
        }
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return msg.startsWith("ERROR:") ? msg : "ERROR: " + msg;
    }

    // ---- DescribeStatement / GetStatementResult / CancelStatement / ListStatements

    private StatementRecord find(JsonNode req) {
        String id = required(req, "Id");
        if (!STATEMENT_ID.matcher(id).matches()) {
            throw AwsError.validation("Id '" + id + "' is not a valid statement id");
        }
        int colon = id.indexOf(':');
        StatementRecord st = statements.get(colon < 0 ? id : id.substring(0, colon));
        if (st != null && colon > 0) {
            int index = Integer.parseInt(id.substring(colon + 1)) - 1;
            st = st.batch && index >= 0 && index < st.subStatements.size() ? st.subStatements.get(index) : null;
        }
        if (st == null) {
            throw AwsError.notFound("Query does not exist.");
        }
        return st;
    }

    private JsonNode describe(JsonNode req) {
        StatementRecord st = find(req);
        ObjectNode out = json.createObjectNode();
        out.put("Id", st.id);
        // a STATUS fault: an ended statement answers a status string of the fault's choosing (one the SDK may not know)
        out.put("Status", st.terminal() ? faults.takeStatus(st.sql).map(Faults.Fault::message).orElse(st.status) : st.status);
        out.put("CreatedAt", epoch(st.createdAt));
        out.put("UpdatedAt", epoch(st.updatedAt));
        out.put("QueryString", st.sql);
        out.put("Duration", st.terminal() ? st.durationNanos : -1);
        out.put("HasResultSet", st.hasResultSet);
        out.put("ResultRows", st.terminal() ? st.resultRows : -1);
        out.put("ResultSize", st.terminal() ? st.resultSize : -1);
        out.put("RedshiftQueryId", st.redshiftQueryId);
        out.put("RedshiftPid", st.redshiftPid);
        out.put("ResultFormat", "JSON");
        putIfSet(out, "ClusterIdentifier", st.clusterIdentifier);
        putIfSet(out, "WorkgroupName", st.workgroupName);
        putIfSet(out, "Database", st.database);
        putIfSet(out, "DbUser", st.dbUser);
        putIfSet(out, "SecretArn", st.secretArn);
        putIfSet(out, "Error", st.error);
        if (!st.parameters.isEmpty()) {
            out.set("QueryParameters", json.valueToTree(st.parameters));
        }
        if (st.batch) {
            ArrayNode subs = out.putArray("SubStatements");
            for (StatementRecord sub : st.subStatements) {
                ObjectNode s = subs.addObject();
                s.put("Id", sub.id);
                s.put("Status", sub.status.equals("PICKED") ? "SUBMITTED" : sub.status);
                s.put("QueryString", sub.sql);
                s.put("CreatedAt", epoch(sub.createdAt));
                s.put("UpdatedAt", epoch(sub.updatedAt));
                s.put("Duration", sub.terminal() ? sub.durationNanos : -1);
                s.put("HasResultSet", sub.hasResultSet);
                s.put("ResultRows", sub.terminal() ? sub.resultRows : -1);
                s.put("ResultSize", sub.terminal() ? sub.resultSize : -1);
                s.put("RedshiftQueryId", sub.redshiftQueryId);
                putIfSet(s, "Error", sub.error);
            }
        }
        return out;
    }

    private JsonNode result(JsonNode req) {
        StatementRecord st = find(req);
        if (st.batch) {
            throw AwsError.validation("Id is a batch; get the result of one sub-statement (Id:N)");
        }
        StatementRecord.Result r = st.result;
        if (!st.status.equals("FINISHED") || !st.hasResultSet || r == null) {
            throw AwsError.notFound("Query does not have result. Please check query status with DescribeStatement.");
        }
        int from = offset(text(req, "NextToken"));
        if (from > 0 && from >= r.rows().size()) { // only offsets of a page it issued are tokens
            throw AwsError.validation("NextToken is not valid");
        }
        int to = pageEnd(r.rows(), from);
        ObjectNode out = json.createObjectNode();
        out.put("TotalNumRows", faults.takeTotalRows(st.sql).map(f -> Long.parseLong(f.message()))
                .orElse((long) r.rows().size()));
        ArrayNode meta = out.putArray("ColumnMetadata");
        for (StatementRecord.Column c : r.columns()) {
            ObjectNode m = meta.addObject();
            m.put("name", c.name());
            m.put("label", c.name());
            m.put("typeName", c.typeName());
            m.put("nullable", c.nullable() ? 1 : 0);
            m.put("precision", c.precision());
            m.put("scale", c.scale());
            m.put("length", 0);
            m.put("schemaName", c.schemaName() == null ? "" : c.schemaName());
            m.put("tableName", c.tableName() == null ? "" : c.tableName());
            m.put("isSigned", c.signed());
            m.put("isCaseSensitive", c.caseSensitive());
            m.put("isCurrency", c.currency());
        }
        ArrayNode records = out.putArray("Records");
        for (List<Object> row : r.rows().subList(from, to)) {
            ArrayNode fields = records.addArray();
            for (Object v : row) {
                ObjectNode f = fields.addObject();
                if (v == null) {
                    f.put("isNull", true);
                } else if (v instanceof Boolean b) {
                    f.put("booleanValue", b);
                } else if (v instanceof Long l) {
                    f.put("longValue", l);
                } else if (v instanceof Double d) {
                    f.put("doubleValue", d);
                } else if (v instanceof byte[] bytes) {
                    f.put("blobValue", Base64.getEncoder().encodeToString(bytes));
                } else {
                    f.put("stringValue", v.toString());
                }
            }
        }
        if (to < r.rows().size()) {
            out.put("NextToken", token(to));
        }
        return out;
    }

    /**
     * Where the page starting at {@code from} ends: AWS pages a result by size (up to the Data API's 100 MB), so a page
     * takes rows while they fit in {@code resultPageBytes} (at least one row), and at most {@code resultPageRows} rows
     * when set.
     */
    private int pageEnd(List<List<Object>> rows, int from) {
        int maxRows = resultPageRows;
        long maxBytes = resultPageBytes;
        long bytes = 0;
        int to = from;
        while (to < rows.size() && (maxRows <= 0 || to - from < maxRows)) {
            long size = 2;
            for (Object v : rows.get(to)) {
                // a Field as JSON: {"stringValue":"..."} and its kin, ~20 bytes besides the value
                size += 20 + (v == null ? 4 : v instanceof byte[] b ? (b.length * 4L + 2) / 3 : String.valueOf(v).length());
            }
            if (to > from && bytes + size > maxBytes) {
                break;
            }
            bytes += size;
            to++;
        }
        return to;
    }

    private JsonNode cancel(JsonNode req) {
        StatementRecord st = find(req);
        if (st.terminal()) {
            throw AwsError.validation("Could not cancel a query that is already in " + st.status + " state.");
        }
        st.cancelled.countDown();
        java.sql.Statement running = st.running;
        if (running != null) {
            try {
                running.cancel();
            } catch (SQLException ignored) {
                // it finished meanwhile
            }
        }
        if (st.status.equals("SUBMITTED")) {
            finish(st, "ABORTED", null);
        }
        return json.createObjectNode().put("Status", true);
    }

    /** ListStatements Status, API_ListStatements: Valid Values: SUBMITTED | PICKED | STARTED | FINISHED | ABORTED | FAILED | ALL. */
    private static final java.util.Set<String> LIST_STATUSES =
            java.util.Set.of("SUBMITTED", "PICKED", "STARTED", "FINISHED", "ABORTED", "FAILED", "ALL");

    private JsonNode list(JsonNode req) {
        String prefix = text(req, "StatementName");
        // API_ListStatements: "By default, only finished statements are shown"; ALL asks for every status
        String status = Optional.ofNullable(text(req, "Status")).orElse("FINISHED");
        if (!LIST_STATUSES.contains(status)) {
            throw AwsError.validation("Status " + status + " is not valid: valid values are " + LIST_STATUSES);
        }
        String cluster = text(req, "ClusterIdentifier");
        String workgroup = text(req, "WorkgroupName");
        if (cluster != null && workgroup != null) {
            // API_ListStatements: "When providing ClusterIdentifier, then WorkgroupName can't be specified" (and back)
            throw AwsError.validation("Either ClusterIdentifier or WorkgroupName can be specified, not both");
        }
        String database = text(req, "Database");
        int max = req.path("MaxResults").asInt(100);
        if (max < 0 || max > 100) {
            throw AwsError.validation("MaxResults must be from 0 to 100");
        }
        if (max == 0) {
            max = 100;
        }
        List<StatementRecord> matching = statements.values().stream()
                .filter(s -> prefix == null || s.statementName != null && s.statementName.startsWith(prefix))
                .filter(s -> status.equals("ALL") || s.status.equals(status))
                .filter(s -> cluster == null || cluster.equals(s.clusterIdentifier))
                .filter(s -> workgroup == null || workgroup.equals(s.workgroupName))
                .filter(s -> database == null || database.equals(s.database))
                .sorted(Comparator.comparing((StatementRecord s) -> s.createdAt).reversed().thenComparing(s -> s.id))
                .toList();
        int from = offset(text(req, "NextToken"));
        if (from > matching.size()) {
            throw AwsError.validation("NextToken is not valid");
        }
        int to = Math.min(matching.size(), from + max);
        ObjectNode out = json.createObjectNode();
        ArrayNode list = out.putArray("Statements");
        for (StatementRecord s : matching.subList(Math.min(from, to), to)) {
            ObjectNode o = list.addObject();
            o.put("Id", s.id);
            o.put("Status", s.status);
            o.put("CreatedAt", epoch(s.createdAt));
            o.put("UpdatedAt", epoch(s.updatedAt));
            o.put("IsBatchStatement", s.batch);
            putIfSet(o, "StatementName", s.statementName);
            putIfSet(o, "SecretArn", s.secretArn);
            if (s.batch) {
                ArrayNode qs = o.putArray("QueryStrings");
                s.subStatements.forEach(sub -> qs.add(sub.sql));
            } else {
                o.put("QueryString", s.sql);
            }
            if (!s.parameters.isEmpty()) {
                o.set("QueryParameters", json.valueToTree(s.parameters));
            }
        }
        if (to < matching.size()) {
            out.put("NextToken", token(to));
        }
        return out;
    }

    // ---- helpers

    /** How many statements are kept before the oldest finished ones are forgotten (their ClientTokens are not). */
    public void statementsKept(int kept) {
        this.statementsKept = kept;
    }

    private void trim() {
        int kept = statementsKept;
        if (statements.size() <= kept) {
            return;
        }
        statements.values().stream().filter(StatementRecord::terminal)
                .sorted(Comparator.comparing(s -> s.createdAt))
                .limit(statements.size() - kept)
                .forEach(s -> statements.remove(s.id));
    }

    /** Page tokens are the offset of the next item, opaque to clients. */
    static int offset(String token) {
        if (token == null) {
            return 0;
        }
        int offset;
        try {
            offset = Integer.parseInt(new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw AwsError.validation("NextToken is not valid");
        }
        if (offset < 0) {
            throw AwsError.validation("NextToken is not valid");
        }
        return offset;
    }

    static String token(int offset) {
        return Base64.getEncoder().encodeToString(Integer.toString(offset).getBytes(StandardCharsets.UTF_8));
    }

    static BigDecimal epoch(Instant t) {
        return BigDecimal.valueOf(t.toEpochMilli(), 3);
    }

    private static String text(JsonNode req, String field) {
        JsonNode v = req.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String required(JsonNode req, String field) {
        String v = text(req, field);
        if (v == null) {
            throw AwsError.validation(field + " must be specified");
        }
        return v;
    }

    private static void putIfSet(ObjectNode out, String field, String value) {
        if (value != null) {
            out.put(field, value);
        }
    }

    Map<String, Object> stats() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("statements", statements.size());
        s.put("active", active.get());
        s.put("clientTokens", clientTokens.size());
        return s;
    }

    @Override
    public void close() {
        statements.values().forEach(s -> s.cancelled.countDown());
        workers.shutdownNow();
        eventSender.shutdownNow();
    }
}
