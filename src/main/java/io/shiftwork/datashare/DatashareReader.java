package io.shiftwork.datashare;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.shiftwork.statements.StatementsConfig;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.redshiftdata.model.DescribeStatementResponse;
import software.amazon.awssdk.services.redshiftdata.model.Field;
import software.amazon.awssdk.services.redshiftdata.model.GetStatementResultResponse;
import software.amazon.awssdk.services.redshiftdata.model.SqlParameter;
import software.amazon.awssdk.services.redshiftserverless.RedshiftServerlessClient;

/**
 * The thin adapter the datashare flow reads state through: namespace ids from Redshift Serverless, and the SVV
 * views through the Data API (short read-only queries, waited for here; values bound as parameters).
 */
@ApplicationScoped
public class DatashareReader {

    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(60);

    private final RedshiftDataClient data;
    private final RedshiftServerlessClient serverless;
    private final StatementsConfig statements;

    public DatashareReader(RedshiftDataClient data, RedshiftServerlessClient serverless, StatementsConfig statements) {
        this.data = data;
        this.serverless = serverless;
        this.statements = statements;
    }

    /** The workgroup's namespace id (GetWorkgroup, then GetNamespace). */
    public DatasharePlanner.Target target(String workgroup) {
        String namespace = serverless.getWorkgroup(b -> b.workgroupName(workgroup)).workgroup().namespaceName();
        String id = serverless.getNamespace(b -> b.namespaceName(namespace)).namespace().namespaceId();
        return new DatasharePlanner.Target(workgroup, id);
    }

    public DatasharePlanner.Observed observe(DatasharePlanner.Desired d, String database) {
        String producer = d.producer().workgroup();
        Map<String, String> share = Map.of("share", d.share());
        List<List<String>> outbound = query(producer, database, "SELECT is_publicaccessible FROM svv_datashares "
                + "WHERE share_name = :share AND share_type = 'OUTBOUND'", share);
        Set<String> objects = new HashSet<>();
        Set<String> granted = new HashSet<>();
        if (!outbound.isEmpty()) {
            query(producer, database, "SELECT object_name FROM svv_datashare_objects WHERE share_name = :share "
                    + "AND share_type = 'OUTBOUND'", share).forEach(r -> objects.add(r.get(0).trim()));
            query(producer, database, "SELECT consumer_namespace FROM svv_datashare_consumers WHERE share_name = :share",
                    share).forEach(r -> granted.add(r.get(0).trim().toLowerCase(Locale.ROOT)));
        }
        Set<String> tables = new HashSet<>();
        query(producer, database, "SELECT table_schema, table_name FROM information_schema.tables "
                + "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')", Map.of())
                .forEach(r -> tables.add(r.get(0) + "." + r.get(1)));
        Map<String, Boolean> databases = new HashMap<>();
        for (DatasharePlanner.Target c : d.consumers()) {
            databases.put(c.workgroup(), !query(c.workgroup(), database, "SELECT database_name FROM svv_redshift_databases "
                    + "WHERE database_name = :db AND database_type = 'shared'", Map.of("db", d.consumerDatabase())).isEmpty());
        }
        Map<String, DatasharePlanner.ReadUser> readUsers = new HashMap<>();
        if (d.readUser() != null) {
            for (DatasharePlanner.Target c : d.consumers()) {
                boolean user = !query(c.workgroup(), database, "SELECT usename FROM pg_user WHERE usename = :user",
                        Map.of("user", d.readUser())).isEmpty();
                boolean usage = user && databases.get(c.workgroup()) && !query(c.workgroup(), database,
                        "SELECT identity_name FROM svv_database_privileges WHERE database_name = :db "
                                + "AND privilege_type = 'USAGE' AND identity_type = 'user' AND identity_name = :user",
                        Map.of("db", d.consumerDatabase(), "user", d.readUser())).isEmpty();
                readUsers.put(c.workgroup(), new DatasharePlanner.ReadUser(user, usage));
            }
        }
        boolean exists = !outbound.isEmpty();
        return new DatasharePlanner.Observed(exists, exists && isTrue(outbound.get(0).get(0)), objects, tables, granted,
                databases, readUsers);
    }

    private static boolean isTrue(String v) {
        return v != null && (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("t") || v.equals("1"));
    }

    /** Runs a read on the workgroup and returns every row, each value as text (null for NULL). */
    List<List<String>> query(String workgroup, String database, String sql, Map<String, String> parameters) {
        List<SqlParameter> params = parameters.entrySet().stream()
                .map(e -> SqlParameter.builder().name(e.getKey()).value(e.getValue()).build()).toList();
        String id = data.executeStatement(b -> b.workgroupName(workgroup).database(database)
                .secretArn(statements.secretArn().orElse(null)).sql(sql)
                .parameters(params.isEmpty() ? null : params)).id();
        long deadline = System.nanoTime() + QUERY_TIMEOUT.toNanos();
        long pause = 10;
        while (true) {
            DescribeStatementResponse d = data.describeStatement(b -> b.id(id));
            switch (d.statusAsString()) {
                case "FINISHED" -> {
                    return rows(id, Boolean.TRUE.equals(d.hasResultSet()));
                }
                case "FAILED", "ABORTED" -> throw new IllegalStateException("on workgroup " + workgroup + ": " + sql
                        + " " + d.statusAsString() + ": " + d.error());
                default -> {
                }
            }
            if (System.nanoTime() > deadline) {
                data.cancelStatement(b -> b.id(id));
                throw new IllegalStateException("on workgroup " + workgroup + ": " + sql + " did not finish within "
                        + QUERY_TIMEOUT);
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading " + workgroup, e);
            }
            pause = Math.min(500, pause * 2);
        }
    }

    private List<List<String>> rows(String id, boolean hasResult) {
        List<List<String>> out = new ArrayList<>();
        if (!hasResult) {
            return out;
        }
        String token = null;
        do {
            String next = token;
            GetStatementResultResponse page = data.getStatementResult(b -> b.id(id).nextToken(next));
            for (List<Field> record : page.records()) {
                List<String> row = new ArrayList<>();
                for (Field f : record) {
                    row.add(Boolean.TRUE.equals(f.isNull()) ? null : f.stringValue() != null ? f.stringValue()
                            : f.booleanValue() != null ? f.booleanValue().toString()
                                    : f.longValue() != null ? f.longValue().toString()
                                            : f.doubleValue() != null ? f.doubleValue().toString() : null);
                }
                out.add(row);
            }
            token = page.nextToken();
        } while (token != null && !token.isEmpty());
        return out;
    }
}
