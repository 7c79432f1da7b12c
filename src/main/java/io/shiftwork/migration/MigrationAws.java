package io.shiftwork.migration;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.shiftwork.aws.AwsConfig;
import io.shiftwork.migration.MigrationPlanner.Count;
import io.shiftwork.migration.MigrationPlanner.Observed;
import io.shiftwork.migration.MigrationPlanner.State;
import io.shiftwork.migration.MigrationPlanner.Target;
import software.amazon.awssdk.services.redshift.RedshiftClient;
import software.amazon.awssdk.services.redshift.model.ClusterNotFoundException;
import software.amazon.awssdk.services.redshift.model.ClusterSnapshotAlreadyExistsException;
import software.amazon.awssdk.services.redshift.model.ClusterSnapshotNotFoundException;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.redshiftdata.model.DescribeStatementResponse;
import software.amazon.awssdk.services.redshiftdata.model.ExecuteStatementRequest;
import software.amazon.awssdk.services.redshiftdata.model.Field;
import software.amazon.awssdk.services.redshiftserverless.RedshiftServerlessClient;
import software.amazon.awssdk.services.redshiftserverless.model.ConflictException;
import software.amazon.awssdk.services.redshiftserverless.model.Namespace;
import software.amazon.awssdk.services.redshiftserverless.model.ResourceNotFoundException;
import software.amazon.awssdk.services.redshiftserverless.model.Workgroup;

/** The migration's AWS calls: what the planner observes and the actions it decides. Thin: no decisions here. */
@ApplicationScoped
public class MigrationAws {

    private final RedshiftClient redshift;
    private final RedshiftServerlessClient serverless;
    private final RedshiftDataClient data;
    private final MigrationConfig config;
    private final AwsConfig aws;

    public MigrationAws(RedshiftClient redshift, RedshiftServerlessClient serverless, RedshiftDataClient data,
            MigrationConfig config, AwsConfig aws) {
        this.redshift = redshift;
        this.serverless = serverless;
        this.data = data;
        this.config = config;
        this.aws = aws;
    }

    /** What the planner needs in the state's phase (the counts only while counting, the snapshot only before). */
    public Observed observe(Target t, State s, Instant now) {
        String source = clusterStatus(t.sourceCluster());
        Namespace ns = namespace(t.namespace());
        Workgroup wg = workgroup(t.workgroup());
        String snapshot = s.phase() == MigrationPlanner.Phase.SNAPSHOT ? snapshotStatus(t.sourceCluster(), s.snapshot()) : null;
        boolean counting = s.phase() == MigrationPlanner.Phase.COUNTING;
        return new Observed(now, source, ns == null ? null : ns.statusAsString(), wg == null ? null : wg.statusAsString(),
                wg == null ? null : wg.namespaceName(), snapshot,
                counting ? count(s.sourceStatement(), t.tables()) : null,
                counting ? count(s.targetStatement(), t.tables()) : null);
    }

    private String clusterStatus(String cluster) {
        try {
            return redshift.describeClusters(b -> b.clusterIdentifier(cluster)).clusters().get(0).clusterStatus();
        } catch (ClusterNotFoundException e) {
            return null;
        }
    }

    Namespace namespace(String name) {
        try {
            return serverless.getNamespace(b -> b.namespaceName(name)).namespace();
        } catch (ResourceNotFoundException e) {
            return null;
        }
    }

    private Workgroup workgroup(String name) {
        try {
            return serverless.getWorkgroup(b -> b.workgroupName(name)).workgroup();
        } catch (ResourceNotFoundException e) {
            return null;
        }
    }

    private String snapshotStatus(String cluster, String snapshot) {
        try {
            var found = redshift.describeClusterSnapshots(b -> b.clusterIdentifier(cluster).snapshotIdentifier(snapshot)).snapshots();
            return found.isEmpty() ? null : found.get(0).status();
        } catch (ClusterSnapshotNotFoundException e) {
            return null;
        }
    }

    private Count count(String statementId, List<String> tables) {
        if (statementId == null) {
            return Count.UNKNOWN;
        }
        DescribeStatementResponse d;
        try {
            d = data.describeStatement(b -> b.id(statementId));
        } catch (software.amazon.awssdk.services.redshiftdata.model.ResourceNotFoundException e) {
            return Count.UNKNOWN;
        }
        String status = d.statusAsString();
        if (!"FINISHED".equals(status)) {
            return new Count(status, null, null, d.error());
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        for (List<Field> row : data.getStatementResult(b -> b.id(statementId)).records()) {
            int n = row.get(0).longValue().intValue(); // row n counts table n (MigrationPlanner.countSql)
            if (n >= 1 && n <= tables.size()) {
                counts.put(tables.get(n - 1), row.get(1).longValue());
            }
        }
        return new Count(status, d.updatedAt(), counts, null);
    }

    /** Carries out one action of a decision; returns the state with what the action recorded (statement ids). */
    public State act(MigrationPlanner.Action action, Target t, State s) {
        switch (action) {
            case CREATE_NAMESPACE -> {
                try {
                    serverless.createNamespace(b -> b.namespaceName(t.namespace()).dbName(config.database())
                            .tags(tag -> tag.key("createdBy").value("shiftwork migration")));
                } catch (ConflictException exists) {
                    // created by an earlier attempt of this run
                }
            }
            case CREATE_WORKGROUP -> {
                try {
                    serverless.createWorkgroup(b -> b.workgroupName(t.workgroup()).namespaceName(t.namespace())
                            .tags(tag -> tag.key("createdBy").value("shiftwork migration")));
                } catch (ConflictException exists) {
                    // created by an earlier attempt of this run
                }
            }
            case CREATE_SNAPSHOT -> {
                try {
                    redshift.createClusterSnapshot(b -> b.clusterIdentifier(t.sourceCluster()).snapshotIdentifier(s.snapshot())
                            .tags(tag -> tag.key("createdBy").value("shiftwork migration")));
                } catch (ClusterSnapshotAlreadyExistsException exists) {
                    // taken by an earlier attempt of this run (its name is the run's)
                }
            }
            case RESTORE -> {
                String arn = snapshotArn(t, s);
                try {
                    serverless.restoreFromSnapshot(b -> b.namespaceName(t.namespace()).workgroupName(t.workgroup())
                            .snapshotArn(arn).ownerAccount(config.ownerAccount().orElse(null)));
                } catch (ConflictException busy) {
                    Namespace ns = namespace(t.namespace());
                    if (ns == null || !"MODIFYING".equals(ns.statusAsString())) {
                        throw busy;
                    }
                    // restoring already: a restore this run asked for before a restart
                }
            }
            case SUBMIT_COUNTS -> {
                String sql = MigrationPlanner.countSql(t.tables());
                String source = data.executeStatement(b -> source(b.clusterIdentifier(t.sourceCluster())
                        .database(config.database()).sql(sql).statementName("shiftwork-migration-source"))).id();
                String target = data.executeStatement(b -> b.workgroupName(t.workgroup()).database(config.database()).sql(sql)
                        .statementName("shiftwork-migration-target")).id();
                return s.submitted(source, target);
            }
            case REPORT -> {
                // the flow publishes the report (route migration-report)
            }
        }
        return s;
    }

    private ExecuteStatementRequest.Builder source(ExecuteStatementRequest.Builder b) {
        config.secretArn().ifPresentOrElse(b::secretArn, () -> b.dbUser(config.dbUser().orElse("awsuser")));
        return b;
    }

    /** arn:aws:redshift:<region>:<account>:snapshot:<cluster>/<snapshot>; the account is the namespace's unless configured. */
    public String snapshotArn(Target t, State s) {
        String account = config.ownerAccount().orElseGet(() -> {
            Namespace ns = namespace(t.namespace());
            if (ns == null || ns.namespaceArn() == null) {
                throw new IllegalStateException("cannot tell the snapshot's account: set shiftwork.migration.owner-account");
            }
            return ns.namespaceArn().split(":")[4];
        });
        return MigrationPlanner.snapshotArn(aws.region(), account, t.sourceCluster(), s.snapshot());
    }
}
