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
        return new StatementState(d.id(), d.statusAsString(), d.resultRows() == null ? 0 : Math.max(0, d.resultRows()),
                d.error());
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
