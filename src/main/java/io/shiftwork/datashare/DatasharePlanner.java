package io.shiftwork.datashare;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the datashare flow has to do, from what it wants and what the SVV views say: only the statements whose
 * effect is missing, so a re-run plans nothing. Pure.
 */
public final class DatasharePlanner {

    /** A Redshift identifier as the flow writes it unquoted: folded to lower case, at most 127 characters. */
    static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_$]{0,126}");
    static final Pattern GUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    /** Step routes of each kind (DatashareRoutes): the most schemas, consumers and revokes one run handles. */
    public static final int MAX_PER_KIND = 10;

    private DatasharePlanner() {
    }

    /** A Serverless workgroup and its namespace's id. */
    public record Target(String workgroup, String namespaceId) {
        public Target {
            namespaceId = namespaceId == null ? null : namespaceId.toLowerCase(Locale.ROOT);
            if (namespaceId == null || !GUID.matcher(namespaceId).matches()) {
                throw new IllegalArgumentException("workgroup " + workgroup + ": namespace id '" + namespaceId
                        + "' is not a GUID");
            }
        }
    }

    /**
     * @param readUser the read-only database user of routed reads ({@code shiftwork.queries.db-user}) to grant USAGE
     *        on each consumer's datashare database; null: no such grant
     */
    public record Desired(String share, boolean publiclyAccessible, List<String> schemas, Target producer,
            List<Target> consumers, String consumerDatabase, String readUser) {
        public Desired {
            identifier("shiftwork.datashare.share", share);
            identifier("shiftwork.datashare.consumer-database", consumerDatabase);
            if (readUser != null) {
                identifier("shiftwork.queries.db-user", readUser);
            }
            schemas.forEach(s -> identifier("shiftwork.datashare.schemas entry", s));
            limit("schemas", schemas.size());
            limit("consumers", consumers.size());
            if (consumers.stream().anyMatch(c -> c.namespaceId().equals(producer.namespaceId()))) {
                throw new IllegalArgumentException("a consumer is in the producer's namespace " + producer.namespaceId());
            }
        }

        /** Without a read user to grant. */
        public Desired(String share, boolean publiclyAccessible, List<String> schemas, Target producer,
                List<Target> consumers, String consumerDatabase) {
            this(share, publiclyAccessible, schemas, producer, consumers, consumerDatabase, null);
        }
    }

    /**
     * What the producer's SVV_DATASHARES, SVV_DATASHARE_OBJECTS, SVV_DATASHARE_CONSUMERS and tables, and each
     * consumer's SVV_REDSHIFT_DATABASES say.
     *
     * @param sharedObjects object names in the datashare: schemas ({@code sales}) and tables ({@code sales.orders})
     * @param producerTables tables of the producer as {@code schema.table}
     * @param consumerDatabases per consumer workgroup: whether its datashare database exists
     * @param readUsers per consumer workgroup: whether the read user exists there (pg_user) and holds USAGE on the
     *        datashare database (SVV_DATABASE_PRIVILEGES); empty without a read user
     */
    public record Observed(boolean shareExists, boolean publiclyAccessible, Set<String> sharedObjects,
            Set<String> producerTables, Set<String> grantedNamespaces, Map<String, Boolean> consumerDatabases,
            Map<String, ReadUser> readUsers) {
        public Observed(boolean shareExists, boolean publiclyAccessible, Set<String> sharedObjects,
                Set<String> producerTables, Set<String> grantedNamespaces, Map<String, Boolean> consumerDatabases) {
            this(shareExists, publiclyAccessible, sharedObjects, producerTables, grantedNamespaces, consumerDatabases,
                    Map.of());
        }
    }

    /** The read user on one consumer: whether it exists, and whether it holds USAGE on the datashare database. */
    public record ReadUser(boolean exists, boolean usage) {
    }

    /** One statement of the flow: the step that runs it, where, and its SQL. */
    public record Planned(String step, String workgroup, String sql) {
    }

    public static List<Planned> plan(Desired d, Observed o) {
        List<Planned> out = new ArrayList<>();
        String producer = d.producer().workgroup();
        if (!o.shareExists()) {
            out.add(new Planned("datashare-create", producer, "CREATE DATASHARE " + d.share()
                    + (d.publiclyAccessible() ? " SET PUBLICACCESSIBLE = TRUE" : "")));
        } else if (o.publiclyAccessible() != d.publiclyAccessible()) {
            out.add(new Planned("datashare-publicly-accessible", producer, "ALTER DATASHARE " + d.share()
                    + " SET PUBLICACCESSIBLE = " + (d.publiclyAccessible() ? "TRUE" : "FALSE")));
        }
        int i = 0;
        for (String schema : d.schemas()) {
            i++;
            if (!o.sharedObjects().contains(schema)) {
                out.add(new Planned("datashare-add-schema-" + i, producer, "ALTER DATASHARE " + d.share() + " ADD SCHEMA " + schema));
            }
        }
        i = 0;
        for (String schema : d.schemas()) {
            i++;
            boolean missing = o.producerTables().stream()
                    .anyMatch(t -> t.startsWith(schema + ".") && !o.sharedObjects().contains(t));
            if (missing) {
                out.add(new Planned("datashare-add-tables-" + i, producer,
                        "ALTER DATASHARE " + d.share() + " ADD ALL TABLES IN SCHEMA " + schema));
            }
        }
        Set<String> wanted = new LinkedHashSet<>();
        i = 0;
        for (Target c : d.consumers()) {
            i++;
            wanted.add(c.namespaceId());
            if (!o.grantedNamespaces().contains(c.namespaceId())) {
                // the namespace id is a string literal: unquoted, Redshift answers a syntax error
                out.add(new Planned("datashare-grant-" + i, producer, "GRANT USAGE ON DATASHARE " + d.share()
                        + " TO NAMESPACE '" + c.namespaceId() + "'"));
            }
        }
        i = 0;
        for (String granted : new java.util.TreeSet<>(o.grantedNamespaces())) {
            if (!wanted.contains(granted)) {
                if (!GUID.matcher(granted).matches()) {
                    throw new IllegalArgumentException("SVV_DATASHARE_CONSUMERS names '" + granted + "', not a namespace id");
                }
                limit("revokes", ++i);
                out.add(new Planned("datashare-revoke-" + i, producer, "REVOKE USAGE ON DATASHARE " + d.share()
                        + " FROM NAMESPACE '" + granted + "'"));
            }
        }
        i = 0;
        for (Target c : d.consumers()) {
            i++;
            if (!Boolean.TRUE.equals(o.consumerDatabases().get(c.workgroup()))) {
                out.add(new Planned("datashare-create-database-" + i, c.workgroup(), "CREATE DATABASE "
                        + d.consumerDatabase() + " FROM DATASHARE " + d.share() + " OF NAMESPACE '"
                        + d.producer().namespaceId() + "'"));
            }
        }
        if (d.readUser() != null) {
            i = 0;
            for (Target c : d.consumers()) {
                i++;
                ReadUser user = o.readUsers().getOrDefault(c.workgroup(), new ReadUser(false, false));
                if (!user.exists()) {
                    // checked before anything is submitted: the grant would fail the run half-way
                    throw new IllegalArgumentException("user " + d.readUser() + " (shiftwork.queries.db-user) does not "
                            + "exist on consumer " + c.workgroup() + ": create it there first (CREATE USER, README "
                            + "\"Routed reads\"), or unset shiftwork.queries.db-user");
                }
                if (!user.usage()) {
                    out.add(new Planned("datashare-grant-reader-" + i, c.workgroup(), "GRANT USAGE ON DATABASE "
                            + d.consumerDatabase() + " TO " + d.readUser()));
                }
            }
        }
        return out;
    }

    static void identifier(String what, String value) {
        if (value == null || !IDENTIFIER.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " '" + value + "' is not a Redshift identifier: lower-case letters, "
                    + "digits, '_' or '$', starting with a letter or '_', at most 127 characters");
        }
    }

    private static void limit(String what, int n) {
        if (n > MAX_PER_KIND) {
            throw new IllegalArgumentException("at most " + MAX_PER_KIND + " " + what + " per run, got " + n);
        }
    }
}
