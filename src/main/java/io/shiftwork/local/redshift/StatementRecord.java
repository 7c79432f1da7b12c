package io.shiftwork.local.redshift;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** A Data API statement as the emulator tracks it. Mutable: the worker moves it through its life cycle. */
final class StatementRecord {

    record Column(String name, String typeName, int jdbcType, boolean nullable, int precision, int scale,
            String schemaName, String tableName, boolean signed, boolean caseSensitive, boolean currency) {
    }

    record Result(List<Column> columns, List<List<Object>> rows) {
    }

    final String id;
    final String sql;
    final List<Map<String, String>> parameters;
    final String clusterIdentifier;
    final String workgroupName;
    final String database;
    final String dbUser;
    final String secretArn;
    final String statementName;
    final boolean withEvent;
    final Instant createdAt;
    final String databaseKey;
    final long redshiftQueryId;
    final int redshiftPid;
    final List<StatementRecord> subStatements;
    final boolean batch;
    final CountDownLatch cancelled = new CountDownLatch(1);

    volatile String status = "SUBMITTED";
    volatile Instant updatedAt;
    volatile String error;
    volatile long resultRows = -1;
    volatile long resultSize = 0;
    volatile boolean hasResultSet;
    volatile Result result;
    volatile long durationNanos;
    volatile java.sql.Statement running;

    StatementRecord(String id, String sql, List<Map<String, String>> parameters, String clusterIdentifier,
            String workgroupName, String database, String dbUser, String secretArn, String statementName,
            boolean withEvent, Instant createdAt, String databaseKey, long redshiftQueryId, int redshiftPid,
            List<StatementRecord> subStatements) {
        this.id = id;
        this.sql = sql;
        this.parameters = parameters;
        this.clusterIdentifier = clusterIdentifier;
        this.workgroupName = workgroupName;
        this.database = database;
        this.dbUser = dbUser;
        this.secretArn = secretArn;
        this.statementName = statementName;
        this.withEvent = withEvent;
        this.createdAt = createdAt;
        this.updatedAt = createdAt;
        this.databaseKey = databaseKey;
        this.redshiftQueryId = redshiftQueryId;
        this.redshiftPid = redshiftPid;
        this.subStatements = subStatements;
        this.batch = subStatements != null;
    }

    boolean terminal() {
        String s = status;
        return s.equals("FINISHED") || s.equals("FAILED") || s.equals("ABORTED");
    }

    void move(String newStatus) {
        status = newStatus;
        updatedAt = Instant.now();
    }
}
