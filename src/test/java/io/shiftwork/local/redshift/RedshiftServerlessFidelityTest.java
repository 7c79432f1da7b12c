package io.shiftwork.local.redshift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.redshiftdata.model.ValidationException;
import software.amazon.awssdk.services.redshiftserverless.model.ConflictException;
import software.amazon.awssdk.services.redshiftserverless.model.ResourceNotFoundException;

/**
 * Redshift Serverless life-cycle rules, one test each, through the real SDK (see {@link FidelityTarget}; against
 * AWS they also need {@code SHIFTWORK_FIDELITY_SERVERLESS=true}, as they create and delete a namespace and
 * workgroup). Pages under https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/.
 */
class RedshiftServerlessFidelityTest {

    private static FidelityTarget t;

    @BeforeAll
    static void target() {
        t = FidelityTarget.get();
    }

    @AfterEach
    void settings() {
        if (!t.aws) {
            t.admin("settings", "{\"workgroupDeleteMillis\":300,\"restoreMillis\":300}");
        }
    }

    private String namespaceWithWorkgroup() {
        t.requireServerless();
        String name = "fid-" + UUID.randomUUID().toString().substring(0, 8);
        t.serverless.createNamespace(b -> b.namespaceName(name).dbName("dev"));
        t.serverless.createWorkgroup(b -> b.workgroupName(name).namespaceName(name).baseCapacity(8));
        await(Duration.ofMinutes(10), () -> "AVAILABLE".equals(status(name)));
        return name;
    }

    private static String status(String workgroup) {
        try {
            return t.serverless.getWorkgroup(b -> b.workgroupName(workgroup)).workgroup().statusAsString();
        } catch (ResourceNotFoundException e) {
            return "GONE";
        }
    }

    // API_DeleteWorkgroup: the response's workgroup has status DELETING; the workgroup is gone later
    // (Workgroup.status: CREATING | AVAILABLE | MODIFYING | DELETING)
    @Test
    void deletingAWorkgroupTakesTimeAndThenItIsGone() {
        String name = namespaceWithWorkgroup();
        if (!t.aws) {
            t.admin("settings", "{\"workgroupDeleteMillis\":1500}");
        }
        assertEquals("DELETING", t.serverless.deleteWorkgroup(b -> b.workgroupName(name)).workgroup().statusAsString());
        assertEquals("DELETING", status(name));
        await(Duration.ofMinutes(15), () -> "GONE".equals(status(name)));
        t.serverless.deleteNamespace(b -> b.namespaceName(name));
    }

    // API_DeleteNamespace, Errors: ConflictException while the namespace still has a workgroup, one being deleted
    // included
    @Test
    void aNamespaceWithAWorkgroupBeingDeletedCannotBeDeleted() {
        String name = namespaceWithWorkgroup();
        if (!t.aws) {
            t.admin("settings", "{\"workgroupDeleteMillis\":1500}");
        }
        assertThrows(ConflictException.class, () -> t.serverless.deleteNamespace(b -> b.namespaceName(name)));
        t.serverless.deleteWorkgroup(b -> b.workgroupName(name));
        assertThrows(ConflictException.class, () -> t.serverless.deleteNamespace(b -> b.namespaceName(name)));
        await(Duration.ofMinutes(15), () -> "GONE".equals(status(name)));
        t.serverless.deleteNamespace(b -> b.namespaceName(name));
    }

    // API_DeleteWorkgroup, Errors: ConflictException for a workgroup that is not AVAILABLE (already DELETING)
    @Test
    void aWorkgroupBeingDeletedCannotBeDeletedAgain() {
        String name = namespaceWithWorkgroup();
        if (!t.aws) {
            t.admin("settings", "{\"workgroupDeleteMillis\":1500}");
        }
        t.serverless.deleteWorkgroup(b -> b.workgroupName(name));
        assertThrows(ConflictException.class, () -> t.serverless.deleteWorkgroup(b -> b.workgroupName(name)));
        await(Duration.ofMinutes(15), () -> "GONE".equals(status(name)));
        t.serverless.deleteNamespace(b -> b.namespaceName(name));
    }

    // redshift-data API_ExecuteStatement: a statement runs on an available workgroup only
    @Test
    void aWorkgroupBeingDeletedRunsNoStatement() {
        String name = namespaceWithWorkgroup();
        if (!t.aws) {
            t.admin("settings", "{\"workgroupDeleteMillis\":1500}");
        }
        t.serverless.deleteWorkgroup(b -> b.workgroupName(name));
        assertThrows(ValidationException.class, () -> t.data.executeStatement(b -> b.workgroupName(name)
                .database("dev").sql("select 1")));
        await(Duration.ofMinutes(15), () -> "GONE".equals(status(name)));
        t.serverless.deleteNamespace(b -> b.namespaceName(name));
    }

    // API_RestoreFromSnapshot, Errors: ConflictException while the namespace is not AVAILABLE (MODIFYING from a
    // restore still under way)
    @Test
    void aNamespaceBeingRestoredRefusesAnotherRestore() {
        String name = namespaceWithWorkgroup();
        if (!t.aws) {
            t.admin("settings", "{\"restoreMillis\":2000}");
        }
        t.serverless.createSnapshot(b -> b.namespaceName(name).snapshotName(name + "-s"));
        await(Duration.ofMinutes(15), () -> "AVAILABLE".equals(t.serverless.getSnapshot(b -> b.snapshotName(name + "-s"))
                .snapshot().statusAsString()));
        t.serverless.restoreFromSnapshot(b -> b.namespaceName(name).workgroupName(name).snapshotName(name + "-s"));
        assertThrows(ConflictException.class, () -> t.serverless.restoreFromSnapshot(b -> b.namespaceName(name)
                .workgroupName(name).snapshotName(name + "-s")));
        await(Duration.ofMinutes(15), () -> "AVAILABLE".equals(t.serverless.getNamespace(b -> b.namespaceName(name))
                .namespace().statusAsString()));
        t.serverless.deleteSnapshot(b -> b.snapshotName(name + "-s"));
        t.serverless.deleteWorkgroup(b -> b.workgroupName(name));
        await(Duration.ofMinutes(15), () -> "GONE".equals(status(name)));
        t.serverless.deleteNamespace(b -> b.namespaceName(name));
    }

    private static void await(Duration timeout, java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not done within " + timeout);
            }
            try {
                Thread.sleep(t.aws ? 5000 : 50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
