package io.shiftwork.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.shiftwork.statements.StatementsConfig;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.redshiftdata.model.DescribeStatementResponse;
import software.amazon.awssdk.services.redshiftserverless.RedshiftServerlessClient;
import software.amazon.awssdk.services.redshiftserverless.model.Endpoint;
import software.amazon.awssdk.services.redshiftserverless.model.NetworkInterface;
import software.amazon.awssdk.services.redshiftserverless.model.VpcEndpoint;
import software.amazon.awssdk.services.redshiftserverless.model.Workgroup;

/**
 * The thin adapter a check goes through: the workgroup's status and endpoint (redshift-serverless GetWorkgroup) and
 * the check's query ({@code shiftwork.pool.check-sql}, {@code SELECT 1} by default) through the Data API, waited for
 * up to the query timeout and cancelled past it. A call the AWS side refused or could not answer (throttling, a 5xx,
 * no answer from the endpoint) makes the check inconclusive rather than failed: it says nothing of the consumer.
 */
@ApplicationScoped
public class ConsumerProbe {

    /** An address the NLB can send a consumer's connections to: a network interface of its VPC endpoint. */
    public record Target(String ip, int port) {
        @Override
        public String toString() {
            return ip + ":" + port;
        }
    }

    /**
     * @param failure why the check failed or was inconclusive; null when it passed
     * @param inconclusive the failure was the AWS side's (Data API or redshift-serverless throttling, 5xx, timeout)
     * @param targets the workgroup's endpoint addresses, empty when GetWorkgroup did not say
     * @param dataApiCalls Data API requests the check made (ExecuteStatement, DescribeStatement, CancelStatement)
     */
    public record Result(String workgroup, String failure, boolean inconclusive, String vpcId, List<Target> targets,
            int dataApiCalls, long millis) {
        public boolean passed() {
            return failure == null;
        }

        public ConsumerHealth.Event event() {
            return passed() ? ConsumerHealth.Event.PASSED
                    : inconclusive ? ConsumerHealth.Event.INCONCLUSIVE : ConsumerHealth.Event.FAILED;
        }
    }

    /** Why a check said nothing of the consumer, or null when the call's failure is the consumer's (or the request's). */
    static String awsSide(Throwable e) {
        if (e instanceof AwsServiceException s) {
            if (s.isThrottlingException()) {
                return "throttled";
            }
            if (s.statusCode() >= 500) {
                return "AWS side error " + s.statusCode();
            }
            return null;
        }
        return e instanceof SdkClientException ? "no answer from the AWS endpoint" : null;
    }

    private final RedshiftServerlessClient serverless;
    private final RedshiftDataClient data;
    private final StatementsConfig statements;

    public ConsumerProbe(RedshiftServerlessClient serverless, RedshiftDataClient data, StatementsConfig statements) {
        this.serverless = serverless;
        this.data = data;
        this.statements = statements;
    }

    public Result check(String workgroupName, String database, Duration timeout) {
        return check(workgroupName, database, timeout, "SELECT 1");
    }

    public Result check(String workgroupName, String database, Duration timeout, String sql) {
        long started = System.nanoTime();
        Workgroup wg;
        try {
            wg = serverless.getWorkgroup(b -> b.workgroupName(workgroupName)).workgroup();
        } catch (RuntimeException e) {
            String aws = awsSide(e);
            return new Result(workgroupName, (aws == null ? "GetWorkgroup failed: " : "inconclusive, GetWorkgroup " + aws
                    + ": ") + e.getMessage(), aws != null, null, List.of(), 0, since(started));
        }
        String vpcId = null;
        List<Target> targets = new ArrayList<>();
        Endpoint endpoint = wg.endpoint();
        if (endpoint != null && endpoint.port() != null) {
            for (VpcEndpoint vpce : endpoint.vpcEndpoints()) {
                vpcId = vpcId == null ? vpce.vpcId() : vpcId;
                for (NetworkInterface eni : vpce.networkInterfaces()) {
                    if (eni.privateIpAddress() != null) {
                        targets.add(new Target(eni.privateIpAddress(), endpoint.port()));
                    }
                }
            }
        }
        if (!"AVAILABLE".equals(wg.statusAsString())) {
            return new Result(workgroupName, "workgroup is " + wg.statusAsString(), false, vpcId, targets, 0, since(started));
        }
        int[] calls = { 0 };
        boolean[] inconclusive = { false };
        String failure = query(workgroupName, database, timeout, sql, calls, inconclusive);
        return new Result(workgroupName, failure, inconclusive[0], vpcId, targets, calls[0], since(started));
    }

    /** Null when the check's query finished within the timeout, else why not. */
    private String query(String workgroup, String database, Duration timeout, String sql, int[] calls,
            boolean[] inconclusive) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String id;
        try {
            calls[0]++;
            id = data.executeStatement(b -> b.workgroupName(workgroup).database(database)
                    .secretArn(statements.secretArn().orElse(null)).sql(sql)).id();
        } catch (RuntimeException e) {
            String aws = awsSide(e);
            inconclusive[0] = aws != null;
            return (aws == null ? "ExecuteStatement refused: " : "inconclusive, ExecuteStatement " + aws + ": ") + e.getMessage();
        }
        long pause = 10;
        try {
            while (true) {
                calls[0]++;
                DescribeStatementResponse d = data.describeStatement(b -> b.id(id));
                switch (d.statusAsString()) {
                    case "FINISHED" -> {
                        return null;
                    }
                    case "FAILED", "ABORTED" -> {
                        return sql + " " + d.statusAsString() + ": " + d.error();
                    }
                    default -> {
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    calls[0]++;
                    try {
                        data.cancelStatement(b -> b.id(id));
                    } catch (RuntimeException ignored) {
                        // it may have ended meanwhile: the check failed all the same
                    }
                    return sql + " did not finish within " + timeout;
                }
                Thread.sleep(Math.min(pause, Math.max(1, left / 1_000_000)));
                pause = Math.min(200, pause * 2);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (RuntimeException e) {
            String aws = awsSide(e);
            inconclusive[0] = aws != null;
            return (aws == null ? "DescribeStatement failed: " : "inconclusive, DescribeStatement " + aws + ": ")
                    + e.getMessage();
        }
    }

    private static long since(long started) {
        return Duration.ofNanos(System.nanoTime() - started).toMillis();
    }
}
