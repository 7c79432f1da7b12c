package io.shiftwork.local.redshift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.redshiftdata.model.DescribeStatementResponse;
import software.amazon.awssdk.services.redshiftdata.model.Field;

/**
 * Redshift data sharing between Serverless namespaces, through the real SDK and the Data API (see
 * {@link FidelityTarget}; against AWS they need {@code SHIFTWORK_FIDELITY_SERVERLESS=true}). Statements as in
 * https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_DATASHARE.html, r_ALTER_DATASHARE.html,
 * r_GRANT.html (USAGE ON DATASHARE ... TO NAMESPACE 'guid'), r_CREATE_DATABASE.html (FROM DATASHARE ... OF
 * NAMESPACE), r_SVV_DATASHARES.html, r_SVV_DATASHARE_CONSUMERS.html, r_SVV_REDSHIFT_DATABASES.html.
 */
class DatashareFidelityTest {

    private static FidelityTarget t;

    @BeforeAll
    static void target() {
        t = FidelityTarget.get();
    }

    /** A namespace with an AVAILABLE workgroup of the same name; returns {name, namespace id}. */
    private static String[] namespace() {
        t.requireServerless();
        String name = "ds-" + UUID.randomUUID().toString().substring(0, 8);
        String id = t.serverless.createNamespace(b -> b.namespaceName(name).dbName("dev")).namespace().namespaceId();
        t.serverless.createWorkgroup(b -> b.workgroupName(name).namespaceName(name).baseCapacity(8));
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (!"AVAILABLE".equals(t.serverless.getWorkgroup(b -> b.workgroupName(name)).workgroup().statusAsString())) {
            assertTrue(System.nanoTime() < deadline, "workgroup " + name + " never AVAILABLE");
            sleep(t.aws ? 5000 : 20);
        }
        return new String[] { name, id };
    }

    private static DescribeStatementResponse run(String workgroup, String sql) {
        String id = t.data.executeStatement(b -> b.workgroupName(workgroup).database("dev").sql(sql)).id();
        return t.awaitDone(id);
    }

    private static void ok(String workgroup, String sql) {
        DescribeStatementResponse d = run(workgroup, sql);
        assertEquals("FINISHED", d.statusAsString(), sql + ": " + d.error());
    }

    private static String fails(String workgroup, String sql) {
        DescribeStatementResponse d = run(workgroup, sql);
        assertEquals("FAILED", d.statusAsString(), sql + " should fail");
        return d.error();
    }

    private static List<List<String>> rows(String workgroup, String sql) {
        DescribeStatementResponse d = run(workgroup, sql);
        assertEquals("FINISHED", d.statusAsString(), sql + ": " + d.error());
        List<List<String>> out = new ArrayList<>();
        for (List<Field> row : t.data.getStatementResult(b -> b.id(d.id())).records()) {
            List<String> r = new ArrayList<>();
            for (Field f : row) {
                r.add(Boolean.TRUE.equals(f.isNull()) ? null : f.longValue() != null ? String.valueOf(f.longValue())
                        : f.booleanValue() != null ? String.valueOf(f.booleanValue()) : f.stringValue());
            }
            out.add(r);
        }
        return out;
    }

    private static long count(String workgroup, String sql) {
        return Long.parseLong(rows(workgroup, sql).get(0).get(0));
    }

    private static String share() {
        return "share_" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A producer namespace with table sales.orders (2 rows) in a datashare of ALL TABLES IN SCHEMA sales. */
    private static String[] producerWithShare(String share) {
        String[] producer = namespace();
        ok(producer[0], "CREATE SCHEMA IF NOT EXISTS sales");
        ok(producer[0], "CREATE TABLE sales.orders (id integer, amount decimal(10,2))");
        ok(producer[0], "INSERT INTO sales.orders VALUES (1, 10.50), (2, 20.00)");
        ok(producer[0], "CREATE DATASHARE " + share);
        ok(producer[0], "ALTER DATASHARE " + share + " ADD SCHEMA sales");
        ok(producer[0], "ALTER DATASHARE " + share + " ADD ALL TABLES IN SCHEMA sales");
        return producer;
    }

    // GRANT USAGE ON DATASHARE ... TO NAMESPACE 'namespace GUID': the namespace id is a string literal; unquoted it
    // is a syntax error
    @Test
    void anUnquotedNamespaceIdIsASyntaxError() {
        String share = share();
        String[] producer = producerWithShare(share);
        String[] consumer = namespace();
        String error = fails(producer[0], "GRANT USAGE ON DATASHARE " + share + " TO NAMESPACE " + consumer[1]);
        assertTrue(error.contains("syntax error at or near"), error);
        assertEquals(0, count(producer[0], "SELECT count(*) FROM svv_datashare_consumers WHERE share_name = '" + share + "'"));
    }

    // A consumer reads db.schema.table only after the producer's grant and its own CREATE DATABASE FROM DATASHARE
    @Test
    void aConsumerReadsSharedTablesOnlyAfterGrantAndCreateDatabase() {
        String share = share();
        String[] producer = producerWithShare(share);
        String[] consumer = namespace();
        String create = "CREATE DATABASE sales_db FROM DATASHARE " + share + " OF NAMESPACE '" + producer[1] + "'";
        assertTrue(fails(consumer[0], create).contains(share));
        assertTrue(fails(consumer[0], "SELECT count(*) FROM sales_db.sales.orders").startsWith("ERROR:"));

        ok(producer[0], "GRANT USAGE ON DATASHARE " + share + " TO NAMESPACE '" + consumer[1] + "'");
        assertEquals(List.of(List.of(share, consumer[1])), rows(producer[0],
                "SELECT share_name, consumer_namespace FROM svv_datashare_consumers WHERE share_name = '" + share + "'"));
        ok(consumer[0], create);

        assertEquals(2, count(consumer[0], "SELECT count(*) FROM sales_db.sales.orders"));
        assertEquals(List.of(List.of("sales_db", "shared")), rows(consumer[0],
                "SELECT database_name, database_type FROM svv_redshift_databases WHERE database_name = 'sales_db'"));
        assertEquals(List.of(List.of("INBOUND", producer[1], "sales_db")), rows(consumer[0],
                "SELECT share_type, producer_namespace, consumer_database FROM svv_datashares WHERE share_name = '" + share + "'"));
        assertEquals(List.of(List.of("OUTBOUND", "dev", "false")), rows(producer[0],
                "SELECT share_type, source_database, is_publicaccessible FROM svv_datashares WHERE share_name = '" + share + "'"));
        assertEquals(List.of(List.of("schema", "sales"), List.of("table", "sales.orders")), rows(producer[0],
                "SELECT object_type, object_name FROM svv_datashare_objects WHERE share_name = '" + share
                        + "' ORDER BY object_type, object_name"));
    }

    // The consumer reads the producer's data live: a row inserted on the producer is counted at once; after REVOKE
    // the consumer's query fails
    @Test
    void aConsumerFollowsProducerInsertsAndLosesAccessOnRevoke() {
        String share = share();
        String[] producer = producerWithShare(share);
        String[] consumer = namespace();
        ok(producer[0], "GRANT USAGE ON DATASHARE " + share + " TO NAMESPACE '" + consumer[1] + "'");
        ok(consumer[0], "CREATE DATABASE shared_sales FROM DATASHARE " + share + " OF NAMESPACE '" + producer[1] + "'");
        assertEquals(2, count(consumer[0], "SELECT count(*) FROM shared_sales.sales.orders"));

        ok(producer[0], "INSERT INTO sales.orders VALUES (3, 7.25)");
        assertEquals(3, count(consumer[0], "SELECT count(*) FROM shared_sales.sales.orders"));
        assertEquals(3, count(consumer[0], "SELECT max(o.id) FROM shared_sales.sales.orders o"));

        ok(producer[0], "REVOKE USAGE ON DATASHARE " + share + " FROM NAMESPACE '" + consumer[1] + "'");
        assertTrue(fails(consumer[0], "SELECT count(*) FROM shared_sales.sales.orders").startsWith("ERROR:"));
        assertEquals(0, count(producer[0], "SELECT count(*) FROM svv_datashare_consumers WHERE share_name = '" + share + "'"));
    }

    // ALTER DATASHARE ... SET PUBLICACCESSIBLE [=] TRUE shows in SVV_DATASHARES.is_publicaccessible; DROP DATASHARE
    // removes it; a second CREATE of the same name fails
    @Test
    void publiclyAccessibleAndDropAreKept() {
        String share = share();
        String[] producer = producerWithShare(share);
        assertTrue(fails(producer[0], "CREATE DATASHARE " + share).contains("already exists"));
        ok(producer[0], "ALTER DATASHARE " + share + " SET PUBLICACCESSIBLE = TRUE");
        assertEquals(List.of(List.of("true")), rows(producer[0],
                "SELECT is_publicaccessible FROM svv_datashares WHERE share_name = '" + share + "'"));
        ok(producer[0], "DROP DATASHARE " + share);
        assertEquals(0, count(producer[0], "SELECT count(*) FROM svv_datashares WHERE share_name = '" + share + "'"));
        assertTrue(fails(producer[0], "ALTER DATASHARE " + share + " ADD SCHEMA sales").contains("does not exist"));
    }

    // ALTER DATASHARE: the objects of a schema are added after the schema itself; a name not in the datashare is not
    // readable on the consumer; DROP DATABASE removes a datashare database (SVV_REDSHIFT_DATABASES) and the
    // DROP DATASHARE leaves a consumer database that no longer reads
    @Test
    void objectsNeedTheirSchemaFirstAndDroppedSharesNoLongerRead() {
        String share = share();
        String[] producer = namespace();
        ok(producer[0], "CREATE SCHEMA IF NOT EXISTS sales");
        ok(producer[0], "CREATE TABLE sales.orders (id integer)");
        ok(producer[0], "CREATE TABLE sales.secret (id integer)");
        ok(producer[0], "CREATE DATASHARE " + share);
        assertTrue(fails(producer[0], "ALTER DATASHARE " + share + " ADD ALL TABLES IN SCHEMA sales").startsWith("ERROR:"));
        ok(producer[0], "ALTER DATASHARE " + share + " ADD SCHEMA sales");
        ok(producer[0], "ALTER DATASHARE " + share + " ADD TABLE sales.orders");
        String[] consumer = namespace();
        ok(producer[0], "GRANT USAGE ON DATASHARE " + share + " TO NAMESPACE '" + consumer[1] + "'");
        ok(consumer[0], "CREATE DATABASE d1 FROM DATASHARE " + share + " OF NAMESPACE '" + producer[1] + "'");
        assertTrue(fails(consumer[0], "CREATE DATABASE d1 FROM DATASHARE " + share + " OF NAMESPACE '" + producer[1] + "'")
                .contains("already exists"));
        assertEquals(0, count(consumer[0], "SELECT count(*) FROM d1.sales.orders"));
        assertTrue(fails(consumer[0], "SELECT count(*) FROM d1.sales.secret").contains("does not exist"));

        ok(consumer[0], "DROP DATABASE d1");
        assertEquals(0, count(consumer[0], "SELECT count(*) FROM svv_redshift_databases WHERE database_name = 'd1'"));
        ok(consumer[0], "CREATE DATABASE d2 FROM DATASHARE " + share + " OF NAMESPACE '" + producer[1] + "'");
        ok(producer[0], "DROP DATASHARE " + share);
        assertTrue(fails(consumer[0], "SELECT count(*) FROM d2.sales.orders").startsWith("ERROR:"));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
