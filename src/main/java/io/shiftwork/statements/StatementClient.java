package io.shiftwork.statements;

import java.util.List;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.redshiftdata.model.DescribeStatementResponse;
import software.amazon.awssdk.services.redshiftdata.model.RedshiftDataException;
import software.amazon.awssdk.services.redshiftdata.model.SqlParameter;

/**
 * The thin adapter over the Redshift Data API: ExecuteStatement with bound parameters, WithEvent and a
 * ClientToken, and DescribeStatement. Paces its calls to this replica's share of the account's quotas (a token
 * bucket per call: quota ÷ replicas); retries are the SDK's adaptive retry mode's alone.
 */
@ApplicationScoped
public class StatementClient {

    private final RedshiftDataClient data;
    private final StatementsConfig config;
    private final RateLimiter executeLimit;
    private final RateLimiter describeLimit;
    private final MeterRegistry metrics;

    public StatementClient(RedshiftDataClient data, StatementsConfig config, MeterRegistry metrics) {
        this.data = data;
        this.config = config;
        this.metrics = metrics;
        this.executeLimit = new RateLimiter(config.executeRate());
        this.describeLimit = new RateLimiter(config.describeRate());
    }

    /** Submits the statement; returns its id. The same statement name gives the same id (ClientToken). */
    public String submit(StatementRequest r) {
        if (r.batch()) {
            return submitBatch(r);
        }
        List<SqlParameter> params = r.parameters().entrySet().stream()
                .map(e -> SqlParameter.builder().name(e.getKey()).value(e.getValue()).build()).toList();
        return paced("ExecuteStatement", executeLimit, () -> data.executeStatement(b -> b
                .clusterIdentifier(r.clusterIdentifier())
                .workgroupName(r.workgroupName())
                .database(r.database())
                .dbUser(r.dbUser())
                .secretArn(r.secretArn())
                .sql(r.sql())
                .parameters(params.isEmpty() ? null : params)
                .statementName(r.statementName())
                .clientToken(StatementNames.clientToken(r.statementName()))
                .withEvent(config.events())).id());
    }

    /**
     * Whether a failed call may still have taken effect: no answer (timeout, connection error) or a 5xx. Any other
     * answer (ValidationException, ActiveStatementsExceededException, throttling that outlived the retries) is a
     * refusal — the statement did not run and will not.
     */
    public static boolean outcomeUnknown(RuntimeException e) {
        if (e instanceof AwsServiceException service) {
            return service.statusCode() >= 500;
        }
        return e instanceof SdkClientException;
    }

    /** CancelStatement; false when the statement had ended already (nothing left to cancel). */
    public boolean cancel(String statementId) {
        try {
            return paced("CancelStatement", describeLimit, () -> data.cancelStatement(b -> b.id(statementId))).status();
        } catch (software.amazon.awssdk.services.redshiftdata.model.ValidationException ended) {
            return false;
        }
    }

    public StatementState describe(String statementId) {
        DescribeStatementResponse d = paced("DescribeStatement", describeLimit,
                () -> data.describeStatement(b -> b.id(statementId)));
        java.util.List<StatementState.SubStatement> subs = d.hasSubStatements() ? d.subStatements().stream()
                .map(s -> new StatementState.SubStatement(s.id(), s.statusAsString(),
                        s.resultRows() == null ? 0 : Math.max(0, s.resultRows()), s.error()))
                .toList() : null;
        return new StatementState(d.id(), d.statusAsString(), d.resultRows() == null ? 0 : Math.max(0, d.resultRows()),
                d.error(), subs);
    }

    /**
     * BatchExecuteStatement: the step's statements run in order in one transaction (a failing one rolls back the
     * ones before it); the same statement name gives the same id (ClientToken). No parameters: the API takes none.
     */
    private String submitBatch(StatementRequest r) {
        return paced("BatchExecuteStatement", executeLimit, () -> data.batchExecuteStatement(b -> b
                .clusterIdentifier(r.clusterIdentifier())
                .workgroupName(r.workgroupName())
                .database(r.database())
                .dbUser(r.dbUser())
                .secretArn(r.secretArn())
                .sqls(r.sqls())
                .statementName(r.statementName())
                .clientToken(StatementNames.clientToken(r.statementName()))
                .withEvent(config.events())).id());
    }

    /** A statement's whole result, every page of GetStatementResult read. */
    public record Result(java.util.List<String> columns, java.util.List<java.util.List<Object>> rows, long totalNumRows,
            int pages) {
    }

    /**
     * Reads every page of the statement's result, following each NextToken, and reconciles the rows read with
     * TotalNumRows: a mismatch is an {@link IllegalStateException} naming both counts (the step fails with it).
     * Values as JSON-friendly Java: Long, Double, Boolean, String, base64 String for blobs, null.
     */
    public Result readResult(String statementId) {
        java.util.List<java.util.List<Object>> rows = new java.util.ArrayList<>();
        java.util.List<String> columns = null;
        long total = -1;
        int pages = 0;
        String token = null;
        do {
            String next = token;
            software.amazon.awssdk.services.redshiftdata.model.GetStatementResultResponse page = paced(
                    "GetStatementResult", describeLimit,
                    () -> data.getStatementResult(b -> b.id(statementId).nextToken(next)));
            pages++;
            if (columns == null && page.hasColumnMetadata()) {
                columns = page.columnMetadata().stream().map(c -> c.label() != null ? c.label() : c.name()).toList();
            }
            if (total >= 0 && page.totalNumRows() != null && page.totalNumRows() != total) {
                throw new IllegalStateException("the result of statement " + statementId + " changed size while read: "
                        + "TotalNumRows " + total + ", then " + page.totalNumRows());
            }
            total = page.totalNumRows() == null ? total : page.totalNumRows();
            for (java.util.List<software.amazon.awssdk.services.redshiftdata.model.Field> record : page.records()) {
                java.util.List<Object> row = new java.util.ArrayList<>(record.size());
                record.forEach(f -> row.add(value(f)));
                rows.add(row);
            }
            token = page.nextToken() == null || page.nextToken().isEmpty() ? null : page.nextToken();
        } while (token != null);
        if (total != rows.size()) {
            throw new IllegalStateException("read " + rows.size() + " rows of statement " + statementId + " in " + pages
                    + " page(s), but GetStatementResult says TotalNumRows " + total);
        }
        return new Result(columns == null ? java.util.List.of() : columns, rows, total, pages);
    }

    /**
     * A Data API result field as JSON-ready Java: null, Long, Double, Boolean, a blob as Base64 text, else the string.
     */
    public static Object value(software.amazon.awssdk.services.redshiftdata.model.Field f) {
        if (Boolean.TRUE.equals(f.isNull())) {
            return null;
        }
        if (f.longValue() != null) {
            return f.longValue();
        }
        if (f.doubleValue() != null) {
            return f.doubleValue();
        }
        if (f.booleanValue() != null) {
            return f.booleanValue();
        }
        if (f.blobValue() != null) {
            return java.util.Base64.getEncoder().encodeToString(f.blobValue().asByteArray());
        }
        return f.stringValue();
    }

    /**
     * Paced to this replica's share of the account's quota; the call itself is retried by the SDK's adaptive retry
     * mode only (AwsClients), so a ThrottlingException here has outlived those attempts: a refusal.
     */
    private <T> T paced(String operation, RateLimiter limit, Supplier<T> call) {
        limit.acquire();
        metrics.counter("shiftwork.redshift.data.calls", "operation", operation).increment();
        try {
            return call.get();
        } catch (RedshiftDataException e) {
            if (e.isThrottlingException()) {
                metrics.counter("shiftwork.redshift.data.throttled", "operation", operation).increment();
            }
            throw e;
        }
    }
}
