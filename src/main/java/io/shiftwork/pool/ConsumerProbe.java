package io.shiftwork.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.shiftwork.statements.StatementsConfig;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.redshiftdata.model.DescribeStatementResponse;
import software.amazon.awssdk.services.redshiftserverless.RedshiftServerlessClient;
import software.amazon.awssdk.services.redshiftserverless.model.Endpoint;
import software.amazon.awssdk.services.redshiftserverless.model.NetworkInterface;
import software.amazon.awssdk.services.redshiftserverless.model.VpcEndpoint;
import software.amazon.awssdk.services.redshiftserverless.model.Workgroup;

/**
 * The thin adapter a check goes through: the workgroup's status and endpoint (redshift-serverless GetWorkgroup) and
 * a {@code SELECT 1} through the Data API, waited for up to the query timeout and cancelled past it.
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
     * @param failure why the check failed; null when it passed
     * @param targets the workgroup's endpoint addresses, empty when GetWorkgroup did not say
     * @param dataApiCalls Data API requests the check made (ExecuteStatement, DescribeStatement, CancelStatement)
     */
    public record Result(String workgroup, String failure, String vpcId, List<Target> targets, int dataApiCalls,
            long millis) {
        public boolean passed() {
            return failure == null;
        }
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
        long started = System.nanoTime();
        Workgroup wg;
        try {
            wg = serverless.getWorkgroup(b -> b.workgroupName(workgroupName)).workgroup();
        } catch (RuntimeException e) {
            return new Result(workgroupName, "GetWorkgroup failed: " + e.getMessage(), null, List.of(), 0, since(started));
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
            return new Result(workgroupName, "workgroup is " + wg.statusAsString(), vpcId, targets, 0, since(started));
        }
        int[] calls = { 0 };
        String failure = select1(workgroupName, database, timeout, calls);
        return new Result(workgroupName, failure, vpcId, targets, calls[0], since(started));
    }

    /** Null when {@code SELECT 1} finished within the timeout, else why not. */
    private String select1(String workgroup, String database, Duration timeout, int[] calls) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String id;
        try {
            calls[0]++;
            id = data.executeStatement(b -> b.workgroupName(workgroup).database(database)
                    .secretArn(statements.secretArn().orElse(null)).sql("SELECT 1")).id();
        } catch (RuntimeException e) {
            return "ExecuteStatement refused: " + e.getMessage();
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
                        return "SELECT 1 " + d.statusAsString() + ": " + d.error();
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
                    return "SELECT 1 did not finish within " + timeout;
                }
                Thread.sleep(Math.min(pause, Math.max(1, left / 1_000_000)));
                pause = Math.min(200, pause * 2);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (RuntimeException e) {
            return "DescribeStatement failed: " + e.getMessage();
        }
    }

    private static long since(long started) {
        return Duration.ofNanos(System.nanoTime() - started).toMillis();
    }
}
