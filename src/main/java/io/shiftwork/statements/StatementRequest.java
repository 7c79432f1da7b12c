package io.shiftwork.statements;

import java.util.Map;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** What to run where: SQL with named parameters bound as Data API parameters, never spliced. */
@RegisterForReflection
public record StatementRequest(String clusterIdentifier, String workgroupName, String database, String dbUser,
        String secretArn, String sql, Map<String, String> parameters, String statementName) {
}
