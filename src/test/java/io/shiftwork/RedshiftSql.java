package io.shiftwork;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.redshiftdata.model.DescribeStatementResponse;
import software.amazon.awssdk.services.redshiftdata.model.Field;
import software.amazon.awssdk.services.redshiftdata.model.StatusString;

/** Test-side SQL through the Data API (what an operator would run), to set up and to check what Redshift holds. */
public final class RedshiftSql {

    private final RedshiftDataClient data;
    private final String cluster;

    public RedshiftSql(RedshiftDataClient data, String cluster) {
        this.data = data;
        this.cluster = cluster;
    }

    public DescribeStatementResponse run(String sql) {
        String id = data.executeStatement(b -> b.clusterIdentifier(cluster).database("dev").dbUser("awsuser").sql(sql)).id();
        DescribeStatementResponse[] last = new DescribeStatementResponse[1];
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).until(() -> {
            last[0] = data.describeStatement(b -> b.id(id));
            return List.of(StatusString.FINISHED, StatusString.FAILED, StatusString.ABORTED).contains(last[0].status());
        });
        if (last[0].status() != StatusString.FINISHED) {
            throw new AssertionError("setup SQL failed: " + last[0].error() + "\n" + sql);
        }
        return last[0];
    }

    public List<List<Field>> query(String sql) {
        String id = run(sql).id();
        return data.getStatementResult(b -> b.id(id)).records();
    }

    /** Runs each file of a sql/ folder in name order, one statement per file as the Data API takes them. */
    public void runFiles(String folder) {
        try (Stream<Path> files = Files.list(Path.of("sql", folder))) {
            List<Path> sorted = new ArrayList<>(files.filter(p -> p.toString().endsWith(".sql")).sorted().toList());
            for (Path f : sorted) {
                run(Files.readString(f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
