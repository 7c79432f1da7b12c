package io.shiftwork.statements;

import java.util.Map;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What to run where: SQL with named parameters bound as Data API parameters, never spliced; {@code stepIds}:
 * identifiers recorded with the step once submitted (an UNLOAD's S3 location), also on a re-submit. {@code sqls}: a
 * batch step's statements, run by BatchExecuteStatement in one transaction (then {@code sql} is null and there are
 * no parameters: BatchExecuteStatement takes none).
 */
@RegisterForReflection
public record StatementRequest(String clusterIdentifier, String workgroupName, String database, String dbUser,
        String secretArn, String sql, Map<String, String> parameters, String statementName, Map<String, String> stepIds,
        java.util.List<String> sqls) {

    public boolean batch() {
        return sqls != null;
    }

    /** With one more identifier recorded with the step. */
    public StatementRequest withStepId(String key, String value) {
        Map<String, String> ids = new java.util.LinkedHashMap<>(stepIds == null ? Map.of() : stepIds);
        ids.put(key, value);
        return new StatementRequest(clusterIdentifier, workgroupName, database, dbUser, secretArn, sql, parameters,
                statementName, ids, sqls);
    }

    /** The step as recorded once the statement is submitted: its statement id and these identifiers, WAITING. */
    public io.shiftwork.pipelines.Step submitted(io.shiftwork.pipelines.Step step, String statementId) {
        io.shiftwork.pipelines.Step s = step.withAwsId("statementId", statementId);
        if (stepIds != null) {
            for (Map.Entry<String, String> e : stepIds.entrySet()) {
                s = s.withAwsId(e.getKey(), e.getValue());
            }
        }
        return s.waiting();
    }
}
