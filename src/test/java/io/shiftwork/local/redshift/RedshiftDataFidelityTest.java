package io.shiftwork.local.redshift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.redshiftdata.model.ActiveStatementsExceededException;
import software.amazon.awssdk.services.redshiftdata.model.ExecuteStatementRequest;
import software.amazon.awssdk.services.redshiftdata.model.SqlParameter;
import software.amazon.awssdk.services.redshiftdata.model.ValidationException;

/**
 * The Data API's documented rules, one test each, through the real SDK: against the local Redshift here, against
 * a real account with {@code SHIFTWORK_FIDELITY_AWS=true} (see {@link FidelityTarget}). Each test names the AWS
 * page it follows (API_* pages are under https://docs.aws.amazon.com/redshift-data/latest/APIReference/, data-api.html
 * under https://docs.aws.amazon.com/redshift/latest/mgmt/). Constraints quoted from the service model are those of botocore 1.43.11's
 * redshift-data 2019-12-20 model, the same shapes the API reference pages render.
 */
class RedshiftDataFidelityTest {

    private static FidelityTarget t;
    private static String cluster;

    @BeforeAll
    static void target() {
        t = FidelityTarget.get();
        cluster = t.availableCluster();
    }

    @AfterEach
    void settings() {
        if (!t.aws) {
            t.admin("settings", "{\"maxActiveStatements\":500,\"statementsKept\":50000,\"clockOffsetSeconds\":0}");
            t.local().redshift().faults().clear();
        }
    }

    private String execute(Consumer<ExecuteStatementRequest.Builder> extra) {
        return t.data.executeStatement(b -> {
            b.clusterIdentifier(cluster).database(t.database).dbUser(t.dbUser).sql("select 1");
            extra.accept(b);
        }).id();
    }

    private static SqlParameter param(String name, String value) {
        return SqlParameter.builder().name(name).value(value).build();
    }

    // API_ExecuteStatement / API_BatchExecuteStatement: ClusterIdentifier names an existing cluster; the service
    // answers ValidationException "Redshift endpoint doesn't exist in this region." otherwise
    @Test
    void aStatementOnAClusterThatDoesNotExistIsRefused() {
        ValidationException e = assertThrows(ValidationException.class, () -> t.data.executeStatement(b -> b
                .clusterIdentifier("no-such-cluster-xyz").database(t.database).dbUser(t.dbUser).sql("select 1")));
        assertTrue(e.getMessage().contains("Redshift endpoint doesn't exist in this region."), e.getMessage());
        assertThrows(ValidationException.class, () -> t.data.batchExecuteStatement(b -> b
                .clusterIdentifier("no-such-cluster-xyz").database(t.database).dbUser(t.dbUser).sqls("select 1")));
    }

    // API_ExecuteStatement, and "Pausing and resuming clusters" (Management Guide): a paused cluster runs no query
    @Test
    void aStatementOnAPausedClusterIsRefused() {
        String paused = t.pausedCluster();
        assertThrows(ValidationException.class, () -> t.data.executeStatement(b -> b.clusterIdentifier(paused)
                .database(t.database).dbUser(t.dbUser).sql("select 1")));
        assertThrows(ValidationException.class, () -> t.data.batchExecuteStatement(b -> b.clusterIdentifier(paused)
                .database(t.database).dbUser(t.dbUser).sqls("select 1", "select 2")));
    }

    // API_ExecuteStatement: WorkgroupName names an existing workgroup
    @Test
    void aStatementOnAWorkgroupThatDoesNotExistIsRefused() {
        ValidationException e = assertThrows(ValidationException.class, () -> t.data.executeStatement(b -> b
                .workgroupName("no-such-workgroup-xyz").database(t.database).sql("select 1")));
        assertTrue(e.getMessage().contains("Redshift endpoint doesn't exist in this region."), e.getMessage());
    }

    // API_SqlParameter: value, "Length Constraints: Minimum length of 1"
    @Test
    void aParameterValueMustNotBeEmpty() {
        assertThrows(ValidationException.class, () -> execute(b -> b.sql("select :v").parameters(param("v", ""))));
        assertEquals("FINISHED", t.awaitDone(execute(b -> b.sql("select :v").parameters(param("v", "x")))).statusAsString());
    }

    // API_SqlParameter: name, "Pattern: ^[0-9a-zA-Z_]+$"
    @Test
    void aParameterNameMustBeLettersDigitsOrUnderscores() {
        assertThrows(ValidationException.class, () -> execute(b -> b.sql("select 1").parameters(param("my-name", "1"))));
        assertThrows(ValidationException.class, () -> execute(b -> b.sql("select 1").parameters(param("", "1"))));
        assertEquals("FINISHED", t.awaitDone(execute(b -> b.sql("select :my_Name_2").parameters(param("my_Name_2", "1"))))
                .statusAsString());
    }

    // API_ExecuteStatement: Parameters, "Array Members: Minimum number of 1 item"
    @Test
    void anEmptyParameterListIsRefused() {
        assertThrows(ValidationException.class, () -> execute(b -> b.parameters(List.of())));
    }

    // data-api.html, "Considerations when calling the Amazon Redshift Data API": "The maximum query statement size
    // is 100 KB"; the service answers "Cannot process query string larger than 100kB"
    @Test
    void aSqlStatementLargerThan100KbIsRefused() {
        String big = "select 1 /*" + "x".repeat(100_001) + "*/";
        ValidationException e = assertThrows(ValidationException.class, () -> execute(b -> b.sql(big)));
        assertTrue(e.getMessage().contains("100kB"), e.getMessage());
        assertThrows(ValidationException.class, () -> t.data.batchExecuteStatement(b -> b.clusterIdentifier(cluster)
                .database(t.database).dbUser(t.dbUser).sqls("select 1", big)));
    }

    // API_ExecuteStatement: StatementName, "Length Constraints: Minimum length of 0. Maximum length of 2048."
    @Test
    void aStatementNameHasAtMost2048Characters() {
        assertThrows(ValidationException.class, () -> execute(b -> b.statementName("n".repeat(2049))));
        assertEquals("FINISHED", t.awaitDone(execute(b -> b.statementName("n".repeat(2048)))).statusAsString());
    }

    // API_ExecuteStatement: ClientToken, "Length Constraints: Minimum length of 1. Maximum length of 64."
    @Test
    void aClientTokenHasOneTo64Characters() {
        assertThrows(ValidationException.class, () -> execute(b -> b.clientToken("t".repeat(65))));
        assertThrows(ValidationException.class, () -> execute(b -> b.clientToken("")));
    }

    // API_ExecuteStatement: ClusterIdentifier, "Pattern: ^[a-z][a-z0-9]*(-[a-z0-9]+)*$", length 1 to 63
    @Test
    void aClusterIdentifierFollowsThePattern() {
        for (String bad : List.of("Upper-Case", "1starts-with-digit", "double--hyphen", "x".repeat(64))) {
            assertThrows(ValidationException.class, () -> t.data.executeStatement(b -> b.clusterIdentifier(bad)
                    .database(t.database).dbUser(t.dbUser).sql("select 1")), bad);
        }
    }

    // API_BatchExecuteStatement: Sqls, "Array Members: Minimum number of 1 item. Maximum number of 40 items."
    @Test
    void aBatchHoldsOneTo40Statements() {
        List<String> sqls = new ArrayList<>();
        for (int i = 0; i < 41; i++) {
            sqls.add("select " + i);
        }
        assertThrows(ValidationException.class, () -> t.data.batchExecuteStatement(b -> b.clusterIdentifier(cluster)
                .database(t.database).dbUser(t.dbUser).sqls(sqls)));
        assertEquals("FINISHED", t.awaitDone(t.data.batchExecuteStatement(b -> b.clusterIdentifier(cluster)
                .database(t.database).dbUser(t.dbUser).sqls(sqls.subList(0, 40))).id()).statusAsString());
    }

    // API_BatchExecuteStatement: Sqls, "Length Constraints: Minimum length of 1" for each member
    @Test
    void eachBatchStatementHasAtLeastOneCharacter() {
        assertThrows(ValidationException.class, () -> t.data.batchExecuteStatement(b -> b.clusterIdentifier(cluster)
                .database(t.database).dbUser(t.dbUser).sqls("select 1", "")));
    }

    // API_ListStatements: Status, "Valid Values: SUBMITTED | PICKED | STARTED | FINISHED | ABORTED | FAILED | ALL"
    @Test
    void listStatementsStatusIsOneOfTheValidValues() {
        for (String bad : List.of("RUNNING", "finished", "")) {
            assertThrows(ValidationException.class, () -> t.data.listStatements(b -> b.status(bad)));
        }
        t.data.listStatements(b -> b.status("PICKED"));
    }

    // API_ListStatements: ClusterIdentifier, "When providing ClusterIdentifier, then WorkgroupName can't be
    // specified" (and the same on WorkgroupName); either alone lists that target's statements
    @Test
    void listStatementsTakesAClusterOrAWorkgroupNotBoth() {
        assertThrows(ValidationException.class, () -> t.data.listStatements(b -> b.clusterIdentifier(cluster)
                .workgroupName("any-workgroup").status("ALL")));
        t.data.listStatements(b -> b.clusterIdentifier(cluster).status("STARTED"));
        t.data.listStatements(b -> b.workgroupName("any-workgroup").status("STARTED"));
    }

    // API_GetStatementResult: NextToken is "returned in a response" to page through the records; a token the
    // service never issued (a negative or past-the-end offset) is ValidationException, not a server error
    @Test
    void getStatementResultNextTokenMustBeOneItIssued() {
        String id = execute(b -> b.sql("select 1"));
        t.awaitDone(id);
        for (String offset : List.of("-5", "99", "1")) {
            String token = java.util.Base64.getEncoder().encodeToString(offset.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThrows(ValidationException.class, () -> t.data.getStatementResult(b -> b.id(id).nextToken(token)));
        }
    }

    // API_ExecuteStatement: Database "is required when authenticating using either Secrets Manager or temporary
    // credentials" (the only two ways without a session)
    @Test
    void theDatabaseIsRequired() {
        assertThrows(ValidationException.class, () -> t.data.executeStatement(b -> b.clusterIdentifier(cluster)
                .dbUser(t.dbUser).sql("select 1")));
    }

    // API_ExecuteStatement: one authentication method, DbUser (temporary credentials) or SecretArn (Secrets Manager)
    @Test
    void dbUserAndSecretArnAreExclusive() {
        assertThrows(ValidationException.class, () -> execute(b -> b.secretArn(
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:redshift-x")));
    }

    // data-api.html, "Considerations": a limit on active (SUBMITTED, PICKED, STARTED) statements per cluster or
    // workgroup, ActiveStatementsExceededException (API_ExecuteStatement, Errors); configurable here to show it
    @Test
    void activeStatementsPerClusterAreLimited() {
        t.admin("settings", "{\"maxActiveStatements\":1}");
        t.local().redshift().faults().arm(Faults.Action.HANG, "hold_the_slot", null, 0, 1);
        String held = execute(b -> b.sql("select 'hold_the_slot'"));
        try {
            assertThrows(ActiveStatementsExceededException.class, () -> execute(b -> b.sql("select 2")));
            String other = t.availableCluster();
            assertEquals("FINISHED", t.awaitDone(t.data.executeStatement(b -> b.clusterIdentifier(other)
                    .database(t.database).dbUser(t.dbUser).sql("select 3")).id()).statusAsString(),
                    "another cluster has its own quota");
        } finally {
            t.data.cancelStatement(b -> b.id(held));
        }
    }

    // API_ExecuteStatement: ClientToken "ensure[s] the idempotency of the request": a retry with the same token
    // answers the first statement's Id and runs nothing again
    @Test
    void aClientTokenAnswersTheSameStatementOnARetry() {
        String token = UUID.randomUUID().toString();
        String first = execute(b -> b.clientToken(token));
        assertEquals(first, execute(b -> b.clientToken(token)));
    }

    // the Data API keeps a ClientToken 8 hours, whether or not the statement it names is still listed
    @Test
    void aClientTokenIsKeptEightHoursEvenWhenItsStatementIsForgotten() {
        t.admin("settings", "{\"statementsKept\":3}");
        String token = UUID.randomUUID().toString();
        String first = execute(b -> b.clientToken(token));
        t.awaitDone(first);
        for (int i = 0; i < 6; i++) {
            t.awaitDone(execute(b -> b.sql("select 2")));
        }
        assertEquals(first, execute(b -> b.clientToken(token)), "the statement was trimmed, its token was not");
        t.admin("settings", "{\"clockOffsetSeconds\":" + (8 * 3600 - 60) + "}");
        assertEquals(first, execute(b -> b.clientToken(token)), "7 h 59 min later");
        t.admin("settings", "{\"clockOffsetSeconds\":" + (8 * 3600 + 1) + "}");
        assertNotEquals(first, execute(b -> b.clientToken(token)), "8 h later the token starts a new statement");
    }
}
