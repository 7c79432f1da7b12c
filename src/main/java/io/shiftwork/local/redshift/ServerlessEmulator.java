package io.shiftwork.local.redshift;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The Redshift Serverless control-plane subset Shiftwork needs (service id redshift-serverless, AWS JSON 1.1,
 * target prefix {@code RedshiftServerless}), in memory with AWS's shapes. A snapshot holds a real copy of the
 * namespace's database, so a restore can be verified with a query.
 */
public final class ServerlessEmulator {

    private final ObjectMapper json = new ObjectMapper();
    private final LocalPostgres pg;
    private final String region;
    private final Map<String, ObjectNode> namespaces = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> workgroups = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> snapshots = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> tags = new ConcurrentHashMap<>();
    /** Each namespace's databases: its dbName, those made by CREATE DATABASE, those restored into it. */
    private final Map<String, java.util.Set<String>> databases = new ConcurrentHashMap<>();
    private final ClusterSnapshots clusterSnapshots;
    private final ClusterStatuses clusters;
    private volatile long restoreMillis = 300;
    private volatile long workgroupDeleteMillis = 300;
    /** The VPC (id, IPv4 CIDR) workgroups put their VPC endpoints in: moto's default VPC when run by LocalAws. */
    private volatile java.util.function.Supplier<String[]> vpcSource = () -> new String[] { "vpc-0local", "172.31.0.0/16" };
    /** The source's answer, asked once after each reset (only when a workgroup is created). */
    private volatile String[] vpc;
    private final java.util.concurrent.atomic.AtomicInteger interfaces = new java.util.concurrent.atomic.AtomicInteger();

    ServerlessEmulator(LocalPostgres pg, ClusterSnapshots clusterSnapshots, ClusterStatuses clusters, String region) {
        this.pg = pg;
        this.clusters = clusters;
        this.clusterSnapshots = clusterSnapshots;
        this.region = region;
    }

    /** How long a deleted workgroup stays DELETING before it is gone (AWS deletes asynchronously). */
    public void workgroupDeleteMillis(long millis) {
        this.workgroupDeleteMillis = millis;
    }

    /** How long a restored namespace stays MODIFYING before it is AVAILABLE again. */
    public void restoreMillis(long millis) {
        this.restoreMillis = millis;
    }

    /**
     * Where new workgroups put their VPC endpoints: {id, IPv4 CIDR} (their network interfaces get addresses of the
     * CIDR), asked when the first workgroup after a reset is created.
     */
    public void vpc(java.util.function.Supplier<String[]> source) {
        this.vpcSource = source;
        this.vpc = null;
    }

    private String[] vpc() {
        String[] v = vpc;
        if (v == null) {
            v = vpcSource.get();
            vpc = v;
        }
        return v;
    }

    /**
     * Sets a workgroup's status (a test's switch: MODIFYING while AWS applies a change, or AVAILABLE again). The
     * Data API refuses statements on a workgroup that is not AVAILABLE, as AWS does.
     */
    public void workgroupStatus(String workgroup, String status) {
        if (!List.of("CREATING", "AVAILABLE", "MODIFYING", "DELETING").contains(status)) {
            throw AwsError.validation("status must be CREATING, AVAILABLE, MODIFYING or DELETING");
        }
        workgroup(workgroup).put("status", status);
    }

    public void reset() {
        interfaces.set(0);
        vpc = null;
        namespaces.clear();
        databases.clear();
        workgroups.clear();
        snapshots.clear();
        tags.clear();
        restoreMillis = 300;
        workgroupDeleteMillis = 300;
    }

    static String namespaceKey(String namespace, String database) {
        return "namespace/" + namespace + "/" + database;
    }

    Optional<String> namespaceOfWorkgroup(String workgroup) {
        ObjectNode wg = workgroups.get(workgroup);
        return wg == null ? Optional.empty() : Optional.of(wg.get("namespaceName").asText());
    }

    boolean hasDatabase(String namespaceName, String database) {
        java.util.Set<String> dbs = databases.get(namespaceName);
        return dbs != null && dbs.contains(database);
    }

    void addDatabase(String namespaceName, String database) {
        databases.computeIfAbsent(namespaceName, n -> ConcurrentHashMap.newKeySet()).add(database);
    }

    void removeDatabase(String namespaceName, String database) {
        java.util.Set<String> dbs = databases.get(namespaceName);
        if (dbs != null) {
            dbs.remove(database);
        }
    }

    Optional<String> namespaceStatus(String namespaceName) {
        ObjectNode ns = namespaces.get(namespaceName);
        return ns == null ? Optional.empty() : Optional.of(ns.get("status").asText());
    }

    Optional<String> namespaceId(String namespaceName) {
        ObjectNode ns = namespaces.get(namespaceName);
        return ns == null ? Optional.empty() : Optional.of(ns.get("namespaceId").asText());
    }

    /** The workgroup's name, given its name or ARN (an unknown ARN is returned as is). */
    String workgroupName(String nameOrArn) {
        if (!nameOrArn.startsWith("arn:")) {
            return nameOrArn;
        }
        return workgroups.values().stream().filter(w -> w.get("workgroupArn").asText().equals(nameOrArn))
                .map(w -> w.get("workgroupName").asText()).findFirst().orElse(nameOrArn);
    }

    Optional<String> workgroupStatus(String workgroup) {
        ObjectNode wg = workgroups.get(workgroup);
        return wg == null ? Optional.empty() : Optional.of(wg.get("status").asText());
    }

    String workgroupArn(String workgroup) {
        ObjectNode wg = workgroups.get(workgroup);
        return wg != null ? wg.get("workgroupArn").asText()
                : "arn:aws:redshift-serverless:" + region + ":" + DataApiEmulator.ACCOUNT + ":workgroup/" + workgroup;
    }

    public JsonNode handle(String operation, JsonNode req) {
        return switch (operation) {
            case "CreateNamespace" -> createNamespace(req);
            case "GetNamespace" -> wrap("namespace", namespace(required(req, "namespaceName")));
            case "ListNamespaces" -> page(req, "namespaces", namespaces.values(), n -> n.get("namespaceName").asText());
            case "DeleteNamespace" -> deleteNamespace(req);
            case "CreateWorkgroup" -> createWorkgroup(req);
            case "GetWorkgroup" -> wrap("workgroup", workgroup(required(req, "workgroupName")));
            case "ListWorkgroups" -> page(req, "workgroups", workgroups.values(), w -> w.get("workgroupName").asText());
            case "DeleteWorkgroup" -> deleteWorkgroup(req);
            case "CreateSnapshot" -> createSnapshot(req);
            case "GetSnapshot" -> wrap("snapshot", snapshot(req));
            case "ListSnapshots" -> listSnapshots(req);
            case "DeleteSnapshot" -> deleteSnapshot(req);
            case "RestoreFromSnapshot" -> restore(req);
            case "TagResource" -> tagResource(req);
            case "UntagResource" -> untagResource(req);
            case "ListTagsForResource" -> listTags(req);
            default -> throw new AwsError(400, "UnknownOperationException",
                    "The local Redshift Serverless does not implement " + operation);
        };
    }

    // ---- namespaces and workgroups

    private JsonNode createNamespace(JsonNode req) {
        String name = required(req, "namespaceName");
        checkName(name, "namespaceName");
        ObjectNode ns = json.createObjectNode();
        ns.put("namespaceName", name);
        ns.put("namespaceId", UUID.randomUUID().toString());
        ns.put("namespaceArn", arn("namespace", ns.get("namespaceId").asText()));
        ns.put("adminUsername", req.path("adminUsername").asText("admin"));
        ns.put("dbName", req.path("dbName").asText("dev"));
        ns.put("status", "AVAILABLE");
        ns.put("creationDate", Instant.now().toString());
        ns.putArray("iamRoles");
        ns.putArray("logExports");
        if (namespaces.putIfAbsent(name, ns) != null) {
            throw new AwsError(400, "ConflictException", "Namespace " + name + " already exists");
        }
        applyTags(ns.get("namespaceArn").asText(), req.get("tags"));
        databases.remove(name);
        addDatabase(name, ns.get("dbName").asText());
        pg.ensure(LocalPostgres.databaseName(namespaceKey(name, ns.get("dbName").asText())));
        return wrap("namespace", ns);
    }

    private ObjectNode namespace(String name) {
        ObjectNode ns = namespaces.get(name);
        if (ns == null) {
            throw AwsError.notFound("Namespace " + name + " does not exist.");
        }
        return ns;
    }

    private JsonNode deleteNamespace(JsonNode req) {
        String name = required(req, "namespaceName");
        ObjectNode ns = namespace(name);
        // a workgroup still DELETING counts: the namespace can be deleted only once it is gone
        Optional<ObjectNode> wg = workgroups.values().stream().filter(w -> w.get("namespaceName").asText().equals(name))
                .findFirst();
        if (wg.isPresent()) {
            throw new AwsError(400, "ConflictException", "Namespace " + name + " has workgroup "
                    + wg.get().get("workgroupName").asText() + " (" + wg.get().get("status").asText()
                    + "); delete the workgroup and wait until it is gone");
        }
        requireAvailable(ns);
        namespaces.remove(name);
        tags.remove(ns.get("namespaceArn").asText());
        java.util.Set<String> dbs = new java.util.TreeSet<>(databases.getOrDefault(name, java.util.Set.of()));
        dbs.add(ns.get("dbName").asText());
        databases.remove(name);
        dbs.forEach(db -> pg.drop(LocalPostgres.databaseName(namespaceKey(name, db))));
        ObjectNode gone = ns.deepCopy();
        gone.put("status", "DELETING");
        return wrap("namespace", gone);
    }

    private JsonNode createWorkgroup(JsonNode req) {
        String name = required(req, "workgroupName");
        checkName(name, "workgroupName");
        String namespace = required(req, "namespaceName");
        requireAvailable(namespace(namespace));
        ObjectNode wg = json.createObjectNode();
        wg.put("workgroupName", name);
        wg.put("workgroupId", UUID.randomUUID().toString());
        wg.put("workgroupArn", arn("workgroup", wg.get("workgroupId").asText()));
        wg.put("namespaceName", namespace);
        wg.put("status", "AVAILABLE");
        wg.put("baseCapacity", req.path("baseCapacity").asInt(8));
        wg.put("creationDate", Instant.now().toString());
        wg.put("enhancedVpcRouting", false);
        wg.put("publiclyAccessible", false);
        ObjectNode endpoint = wg.putObject("endpoint");
        endpoint.put("address", name + "." + DataApiEmulator.ACCOUNT + "." + region + ".redshift-serverless.amazonaws.com");
        endpoint.put("port", req.path("port").asInt(5439));
        // AWS reaches a workgroup through a VPC endpoint with a network interface in each of its subnets; an NLB in
        // front of it targets those interfaces' private addresses
        ObjectNode vpce = endpoint.putArray("vpcEndpoints").addObject();
        vpce.put("vpcEndpointId", "vpce-" + wg.get("workgroupId").asText().replace("-", "").substring(0, 17));
        String[] network = vpc();
        vpce.put("vpcId", network[0]);
        ArrayNode enis = vpce.putArray("networkInterfaces");
        List<String> subnets = new ArrayList<>();
        req.path("subnetIds").forEach(sn -> subnets.add(sn.asText()));
        if (subnets.isEmpty()) {
            subnets.add("subnet-0local");
        }
        String[] base = network[1].split("[./]");
        for (String subnet : subnets) {
            int n = interfaces.getAndIncrement();
            ObjectNode eni = enis.addObject();
            eni.put("networkInterfaceId", String.format("eni-%017x", (long) wg.get("workgroupId").asText().hashCode() & 0xffffffffL | ((long) n << 32)));
            eni.put("subnetId", subnet);
            eni.put("availabilityZone", region + "a");
            eni.put("privateIpAddress", base[0] + "." + base[1] + "." + (n / 240) + "." + (10 + n % 240));
        }
        if (workgroups.putIfAbsent(name, wg) != null) {
            throw new AwsError(400, "ConflictException", "Workgroup " + name + " already exists");
        }
        applyTags(wg.get("workgroupArn").asText(), req.get("tags"));
        return wrap("workgroup", wg);
    }

    private ObjectNode workgroup(String name) {
        ObjectNode wg = workgroups.get(name);
        if (wg == null) {
            throw AwsError.notFound("Workgroup " + name + " does not exist.");
        }
        return wg;
    }

    /** DELETING for {@code workgroupDeleteMillis}, then gone, as AWS deletes a workgroup asynchronously. */
    private JsonNode deleteWorkgroup(JsonNode req) {
        ObjectNode wg = workgroup(required(req, "workgroupName"));
        String name = wg.get("workgroupName").asText();
        synchronized (wg) {
            requireAvailable(wg);
            wg.put("status", "DELETING");
        }
        java.util.concurrent.CompletableFuture.delayedExecutor(workgroupDeleteMillis, java.util.concurrent.TimeUnit.MILLISECONDS)
                .execute(() -> {
                    if (workgroups.remove(name, wg)) {
                        tags.remove(wg.get("workgroupArn").asText());
                    }
                });
        return wrap("workgroup", wg.deepCopy());
    }

    /** A namespace or workgroup that is not AVAILABLE (MODIFYING, DELETING) refuses changes. */
    private static void requireAvailable(ObjectNode resource) {
        String status = resource.get("status").asText();
        if (!"AVAILABLE".equals(status)) {
            String kind = resource.has("workgroupName") ? "Workgroup " + resource.get("workgroupName").asText()
                    : "Namespace " + resource.get("namespaceName").asText();
            throw new AwsError(400, "ConflictException", kind + " is " + status + "; try again when it is AVAILABLE");
        }
    }

    // ---- snapshots

    private JsonNode createSnapshot(JsonNode req) {
        String namespaceName = required(req, "namespaceName");
        String name = required(req, "snapshotName");
        checkName(name, "snapshotName");
        ObjectNode ns = namespace(namespaceName);
        requireAvailable(ns);
        if (snapshots.containsKey(name)) {
            throw new AwsError(400, "ConflictException", "Snapshot " + name + " already exists");
        }
        Instant now = Instant.now();
        ObjectNode s = json.createObjectNode();
        s.put("snapshotName", name);
        s.put("snapshotArn", arn("snapshot", UUID.randomUUID().toString()));
        s.put("namespaceName", namespaceName);
        s.put("namespaceArn", ns.get("namespaceArn").asText());
        s.put("ownerAccount", DataApiEmulator.ACCOUNT);
        s.put("adminUsername", ns.get("adminUsername").asText());
        s.put("status", "AVAILABLE");
        s.put("snapshotCreateTime", now.toString());
        s.put("snapshotRetentionStartTime", now.toString());
        int retention = req.path("retentionPeriod").asInt(-1);
        s.put("snapshotRetentionPeriod", retention);
        s.put("snapshotRemainingDays", retention);
        s.put("totalBackupSizeInMegaBytes", 1.0);
        s.put("actualIncrementalBackupSizeInMegaBytes", 1.0);
        s.put("backupProgressInMegaBytesPerSecond", 1.0);
        s.put("elapsedTimeInSeconds", 0);
        s.put("estimatedSecondsToCompletion", 0);
        s.putArray("accountsWithRestoreAccess");
        s.putArray("accountsWithProvisionedRestoreAccess");
        pg.copy(LocalPostgres.databaseName(namespaceKey(namespaceName, ns.get("dbName").asText())), snapshotDatabase(name));
        snapshots.put(name, s);
        applyTags(s.get("snapshotArn").asText(), req.get("tags"));
        return wrap("snapshot", s);
    }

    private static String snapshotDatabase(String snapshot) {
        return LocalPostgres.databaseName("snapshot/" + snapshot);
    }

    private ObjectNode snapshot(JsonNode req) {
        String name = req.path("snapshotName").asText(null);
        String arn = req.path("snapshotArn").asText(null);
        if (name == null && arn == null) {
            throw AwsError.validation("snapshotName or snapshotArn must be specified");
        }
        ObjectNode s = name != null ? snapshots.get(name)
                : snapshots.values().stream().filter(x -> x.get("snapshotArn").asText().equals(arn)).findFirst().orElse(null);
        if (s == null) {
            throw AwsError.notFound("Snapshot " + (name != null ? name : arn) + " does not exist.");
        }
        return s;
    }

    private JsonNode listSnapshots(JsonNode req) {
        String namespace = req.path("namespaceName").asText(null);
        String namespaceArn = req.path("namespaceArn").asText(null);
        Instant start = req.hasNonNull("startTime") ? instant(req.get("startTime")) : null;
        Instant end = req.hasNonNull("endTime") ? instant(req.get("endTime")) : null;
        List<ObjectNode> matching = snapshots.values().stream()
                .filter(s -> namespace == null || s.get("namespaceName").asText().equals(namespace))
                .filter(s -> namespaceArn == null || s.get("namespaceArn").asText().equals(namespaceArn))
                .filter(s -> start == null || !instant(s.get("snapshotCreateTime")).isBefore(start))
                .filter(s -> end == null || !instant(s.get("snapshotCreateTime")).isAfter(end))
                .toList();
        return page(req, "snapshots", matching, s -> s.get("snapshotName").asText());
    }

    private JsonNode deleteSnapshot(JsonNode req) {
        ObjectNode s = snapshot(req);
        snapshots.remove(s.get("snapshotName").asText());
        tags.remove(s.get("snapshotArn").asText());
        pg.drop(snapshotDatabase(s.get("snapshotName").asText()));
        ObjectNode gone = s.deepCopy();
        gone.put("status", "DELETED");
        return wrap("snapshot", gone);
    }

    /**
     * API_RestoreFromSnapshot: into an existing namespace and its workgroup (ResourceNotFoundException otherwise),
     * from snapshotName or snapshotArn, not both; a provisioned snapshot only by its ARN
     * ({@code arn:aws:redshift:<region>:<account>:snapshot:<cluster>/<snapshot>}), which must name a snapshot moto
     * holds, of that cluster, in this region and account (or {@code ownerAccount}), and {@code available}.
     */
    private JsonNode restore(JsonNode req) {
        String namespaceName = required(req, "namespaceName");
        required(req, "workgroupName");
        boolean byName = req.hasNonNull("snapshotName") && !req.get("snapshotName").asText().isEmpty();
        boolean byArn = req.hasNonNull("snapshotArn") && !req.get("snapshotArn").asText().isEmpty();
        if (byName == byArn) {
            throw AwsError.validation(byName ? "snapshotName and snapshotArn must not be specified at the same time"
                    : "snapshotName or snapshotArn must be specified");
        }
        ObjectNode ns = namespace(namespaceName);
        ObjectNode wg = workgroup(req.get("workgroupName").asText());
        if (!wg.get("namespaceName").asText().equals(namespaceName)) {
            throw AwsError.validation("Workgroup " + wg.get("workgroupName").asText() + " does not belong to namespace "
                    + namespaceName);
        }
        String arnText = byArn ? req.get("snapshotArn").asText() : null;
        Optional<String> provisioned = ClusterSnapshots.fromArn(arnText);
        if (provisioned.isPresent()) {
            String[] parts = ClusterSnapshots.parseArn(arnText).orElseThrow(() -> AwsError.validation(
                    "snapshotArn " + arnText + " is not arn:aws:redshift:<region>:<account_id>:snapshot:<cluster_identifier>/<snapshot_identifier>"));
            String owner = req.path("ownerAccount").asText(DataApiEmulator.ACCOUNT);
            boolean here = parts[0].equals(region) && parts[1].equals(DataApiEmulator.ACCOUNT) && owner.equals(parts[1]);
            Optional<String> status = here ? clusters.snapshotStatus(parts[3]) : Optional.empty();
            if (status.isEmpty() || !clusterSnapshots.known(parts[3])
                    || !clusterSnapshots.clusterOf(parts[3]).map(parts[2]::equals).orElse(false)) {
                throw AwsError.notFound("Snapshot " + arnText + " does not exist.");
            }
            if (!"available".equals(status.get())) {
                throw new AwsError(400, "ConflictException", "Snapshot " + arnText + " is " + status.get()
                        + "; it can be restored once it is available");
            }
        }
        ObjectNode s = provisioned.isPresent() ? null : snapshot(req);
        synchronized (ns) {
            requireAvailable(ns);
            requireAvailable(wg);
            // MODIFYING before the data moves: the Data API refuses statements on the namespace meanwhile
            ns.put("status", "MODIFYING");
        }
        try {
            if (provisioned.isPresent()) {
                // a provisioned cluster's snapshot: every one of its databases moves into the namespace
                clusterSnapshots.restoreInto(provisioned.get(), db -> namespaceKey(namespaceName, db))
                        .forEach(db -> addDatabase(namespaceName, db));
            } else {
                pg.copy(snapshotDatabase(s.get("snapshotName").asText()),
                        LocalPostgres.databaseName(namespaceKey(namespaceName, ns.get("dbName").asText())));
            }
        } catch (RuntimeException e) {
            ns.put("status", "AVAILABLE");
            throw e;
        }
        long delay = restoreMillis;
        java.util.concurrent.CompletableFuture.delayedExecutor(delay, java.util.concurrent.TimeUnit.MILLISECONDS)
                .execute(() -> ns.put("status", "AVAILABLE"));
        ObjectNode out = json.createObjectNode();
        out.set("namespace", ns.deepCopy());
        out.put("ownerAccount", DataApiEmulator.ACCOUNT);
        out.put("snapshotName", provisioned.orElseGet(() -> s.get("snapshotName").asText()));
        return out;
    }

    // ---- tags

    private JsonNode tagResource(JsonNode req) {
        String arn = required(req, "resourceArn");
        requireResource(arn);
        applyTags(arn, req.get("tags"));
        return json.createObjectNode();
    }

    private JsonNode untagResource(JsonNode req) {
        String arn = required(req, "resourceArn");
        requireResource(arn);
        Map<String, String> t = tags.getOrDefault(arn, Map.of());
        req.path("tagKeys").forEach(k -> t.remove(k.asText()));
        return json.createObjectNode();
    }

    private JsonNode listTags(JsonNode req) {
        String arn = required(req, "resourceArn");
        requireResource(arn);
        ObjectNode out = json.createObjectNode();
        ArrayNode list = out.putArray("tags");
        tags.getOrDefault(arn, Map.of()).forEach((k, v) -> list.addObject().put("key", k).put("value", v));
        return out;
    }

    private void applyTags(String arn, JsonNode list) {
        if (list == null || list.isNull()) {
            return;
        }
        Map<String, String> t = tags.computeIfAbsent(arn, a -> new ConcurrentHashMap<>());
        for (JsonNode tag : list) {
            String key = tag.path("key").asText(null);
            if (key == null || key.isEmpty() || key.length() > 128) {
                throw AwsError.validation("a tag key must be 1 to 128 characters");
            }
            t.put(key, tag.path("value").asText(""));
        }
        if (t.size() > 50) {
            throw new AwsError(400, "TooManyTagsException", "A resource can have at most 50 tags");
        }
    }

    private void requireResource(String arn) {
        boolean known = namespaces.values().stream().anyMatch(n -> n.get("namespaceArn").asText().equals(arn))
                || workgroups.values().stream().anyMatch(w -> w.get("workgroupArn").asText().equals(arn))
                || snapshots.values().stream().anyMatch(s -> s.get("snapshotArn").asText().equals(arn));
        if (!known) {
            throw AwsError.notFound("Resource " + arn + " does not exist.");
        }
    }

    // ---- helpers

    private JsonNode page(JsonNode req, String field, java.util.Collection<ObjectNode> all, Function<ObjectNode, String> key) {
        int max = req.path("maxResults").asInt(100);
        if (max < 1 || max > 100) {
            throw AwsError.validation("maxResults must be from 1 to 100");
        }
        List<ObjectNode> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparing(key));
        int from = DataApiEmulator.offset(req.hasNonNull("nextToken") ? req.get("nextToken").asText() : null);
        int to = Math.min(sorted.size(), from + max);
        ObjectNode out = json.createObjectNode();
        ArrayNode list = out.putArray(field);
        sorted.subList(Math.min(from, to), to).forEach(list::add);
        if (to < sorted.size()) {
            out.put("nextToken", DataApiEmulator.token(to));
        }
        return out;
    }

    private ObjectNode wrap(String field, ObjectNode value) {
        ObjectNode out = json.createObjectNode();
        out.set(field, value);
        return out;
    }

    private String arn(String type, String id) {
        return "arn:aws:redshift-serverless:" + region + ":" + DataApiEmulator.ACCOUNT + ":" + type + "/" + id;
    }

    private static Instant instant(JsonNode v) {
        if (v.isNumber()) {
            return Instant.ofEpochMilli(v.decimalValue().movePointRight(3).longValue());
        }
        return Instant.parse(v.asText());
    }

    private static void checkName(String name, String field) {
        if (!name.matches("[a-z0-9-]{3,255}")) {
            throw AwsError.validation(field + " '" + name + "' must be 3 to 255 lower-case letters, digits or hyphens");
        }
    }

    private static String required(JsonNode req, String field) {
        JsonNode v = req.get(field);
        if (v == null || v.isNull() || v.asText().isEmpty()) {
            throw AwsError.validation(field + " must be specified");
        }
        return v.asText();
    }

    Map<String, Object> stats() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("namespaces", namespaces.size());
        s.put("workgroups", workgroups.size());
        s.put("snapshots", snapshots.size());
        return s;
    }
}
