package io.shiftwork.local.redshift;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Redshift data sharing on one PostgreSQL server. A producer's CREATE DATASHARE / ALTER DATASHARE / GRANT USAGE
 * ON DATASHARE ... TO NAMESPACE and a consumer's CREATE DATABASE ... FROM DATASHARE ... OF NAMESPACE are kept
 * here; a consumer's three-part name {@code db.schema.table} is rewritten to a schema of postgres_fdw foreign
 * tables over the producer's database, so it reads the producer's rows live, and only while the grant holds.
 * SVV_DATASHARES, SVV_DATASHARE_CONSUMERS, SVV_DATASHARE_OBJECTS, SVV_REDSHIFT_DATABASES and SVV_DATABASE_PRIVILEGES
 * answer from this state (temporary tables filled just before the statement that reads them); the last holds only
 * the USAGE grants on databases created from a datashare (a local database's privileges are PostgreSQL's).
 */
final class Datashares {

    /** Where a statement runs: its namespace (Serverless namespace id, or a provisioned cluster's) and database. */
    record Session(String namespaceId, String database, String pgDatabase) {
    }

    private static final class Share {
        final String name;
        final String producerNamespace;
        final String sourceDatabase;
        final String pgDatabase;
        final int id;
        final Instant createdAt = Instant.now();
        volatile boolean publicAccessible;
        final Set<String> schemas = new LinkedHashSet<>();
        final Set<String> tables = new LinkedHashSet<>();
        final Map<String, Instant> consumers = new LinkedHashMap<>();

        Share(String name, String producerNamespace, String sourceDatabase, String pgDatabase, int id, boolean pub) {
            this.name = name;
            this.producerNamespace = producerNamespace;
            this.sourceDatabase = sourceDatabase;
            this.pgDatabase = pgDatabase;
            this.id = id;
            this.publicAccessible = pub;
        }
    }

    /** A consumer database created FROM DATASHARE. */
    private record Inbound(String consumerNamespace, String database, String producerNamespace, String share,
            Instant createdAt) {
    }

    static final Pattern GUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern COMMAND = Pattern.compile(
            "(?is)^(create\\s+datashare|alter\\s+datashare|drop\\s+datashare|grant\\s+usage\\s+on\\s+datashare"
                    + "|revoke\\s+usage\\s+on\\s+datashare|create\\s+database\\s+\\S+\\s+from\\s+datashare|drop\\s+database)\\b.*");
    /** A consumer's grant on a database created from a datashare: what lets a user other than its owner read it. */
    private static final Pattern GRANT_DATABASE = Pattern.compile(
            "(?is)^grant\\s+usage\\s+on\\s+database\\s+([a-z_][a-z0-9_$]*)\\s+to\\s+(public|[a-z_][a-z0-9_$]*)\\s*;?\\s*");
    private static final Pattern THREE_PART = Pattern.compile(
            "(?<![\\w$.\"])([A-Za-z_][\\w$]*)\\s*\\.\\s*([A-Za-z_][\\w$]*)\\s*\\.\\s*([A-Za-z_][\\w$]*)");
    private static final Pattern SVV = Pattern.compile(
            "(?i)\\bsvv_(datashares|datashare_consumers|datashare_objects|redshift_databases|database_privileges)\\b");

    private final LocalPostgres pg;
    private final String account;
    private final Map<String, Share> shares = new ConcurrentHashMap<>();
    private final Map<String, Inbound> inbound = new ConcurrentHashMap<>();
    /** Users granted USAGE on a consumer database created from a datashare, by (namespace, database). */
    private final Map<String, Set<String>> databaseUsers = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> localDatabases = new ConcurrentHashMap<>();
    private final Map<String, String> clusterNamespaces = new ConcurrentHashMap<>();
    private final AtomicInteger shareIds = new AtomicInteger(100_000);

    Datashares(LocalPostgres pg, String account) {
        this.pg = pg;
        this.account = account;
    }

    void reset() {
        shares.clear();
        inbound.clear();
        databaseUsers.clear();
        localDatabases.clear();
        clusterNamespaces.clear();
    }

    /** A provisioned cluster's namespace id: a GUID fixed for the cluster's life in this emulator. */
    String clusterNamespace(String cluster) {
        return clusterNamespaces.computeIfAbsent(cluster, c -> UUID.randomUUID().toString());
    }

    private static String key(String namespace, String name) {
        return namespace.toLowerCase(Locale.ROOT) + "/" + name;
    }

    /** Whether {@code database} of the namespace was created FROM DATASHARE. */
    boolean isInbound(String namespaceId, String database) {
        return inbound.containsKey(key(namespaceId, database));
    }

    /** A local database of the namespace (its own, not a datashare's). */
    void localDatabase(String namespaceId, String database) {
        localDatabases.computeIfAbsent(namespaceId, n -> ConcurrentHashMap.newKeySet()).add(database);
    }

    void forgetLocalDatabase(String namespaceId, String database) {
        Set<String> dbs = localDatabases.get(namespaceId);
        if (dbs != null) {
            dbs.remove(database);
        }
    }

    // ---- the statements

    /** Whether the statement is one this class runs (as the superuser): data sharing, a shared database's grant. */
    static boolean isCommand(String sql) {
        String text = RedshiftDialect.withoutLeadingComments(sql).trim();
        return COMMAND.matcher(text).matches() || GRANT_DATABASE.matcher(text).matches();
    }

    /** Runs the statement if it is a data-sharing statement; empty when it is not one. */
    Optional<Long> execute(Session s, Connection c, String sql) throws SQLException {
        if (!isInbound(s.namespaceId(), s.database())) {
            localDatabase(s.namespaceId(), s.database());
        }
        String text = RedshiftDialect.withoutLeadingComments(sql).trim();
        Matcher grant = GRANT_DATABASE.matcher(text);
        if (grant.matches()) {
            String db = grant.group(1).toLowerCase(Locale.ROOT);
            if (!inbound.containsKey(key(s.namespaceId(), db))) {
                return Optional.empty(); // a local database: PostgreSQL's
            }
            String user = grant.group(2).toLowerCase(Locale.ROOT);
            if (!user.equals("public")) {
                try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
                    q.setString(1, user);
                    try (ResultSet r = q.executeQuery()) {
                        if (!r.next()) {
                            throw error("user \"" + user + "\" does not exist");
                        }
                    }
                }
            }
            databaseUsers.computeIfAbsent(key(s.namespaceId(), db), k -> ConcurrentHashMap.newKeySet()).add(user);
            return Optional.of(0L);
        }
        if (!COMMAND.matcher(text).matches()) {
            return Optional.empty();
        }
        Lexer t = new Lexer(text);
        if (t.accept("create")) {
            if (t.accept("datashare")) {
                createDatashare(s, t);
            } else {
                t.expect("database");
                String db = t.identifier();
                if (!t.peek("from")) {
                    return Optional.empty();
                }
                createDatabase(s, t, db);
            }
        } else if (t.accept("alter")) {
            t.expect("datashare");
            alterDatashare(s, t);
        } else if (t.accept("drop")) {
            if (t.accept("datashare")) {
                String name = t.identifier();
                t.end();
                synchronized (this) {
                    if (shares.remove(key(s.namespaceId(), name)) == null) {
                        throw error("datashare \"" + name + "\" does not exist");
                    }
                }
            } else {
                // any other DROP DATABASE (IF EXISTS, a local database) is PostgreSQL's
                t.expect("database");
                if (t.peek("if")) {
                    return Optional.empty();
                }
                String db = t.identifier();
                if (!t.atEnd() || inbound.remove(key(s.namespaceId(), db)) == null) {
                    return Optional.empty();
                }
            }
        } else if (t.accept("grant")) {
            t.expect("usage");
            t.expect("on");
            t.expect("datashare");
            String name = t.identifier();
            t.expect("to");
            String namespace = namespaceLiteral(t);
            t.end();
            synchronized (this) {
                Share share = outbound(s, name);
                if (namespace.equalsIgnoreCase(s.namespaceId())) {
                    throw error("cannot grant datashare \"" + name + "\" to its own producer namespace");
                }
                share.consumers.putIfAbsent(namespace.toLowerCase(Locale.ROOT), Instant.now());
            }
        } else {
            t.expect("revoke");
            t.expect("usage");
            t.expect("on");
            t.expect("datashare");
            String name = t.identifier();
            t.expect("from");
            String namespace = namespaceLiteral(t);
            t.end();
            synchronized (this) {
                outbound(s, name).consumers.remove(namespace.toLowerCase(Locale.ROOT));
            }
        }
        return Optional.of(0L);
    }

    private void createDatashare(Session s, Lexer t) throws SQLException {
        String name = t.identifier();
        boolean pub = false;
        if (!t.atEnd()) {
            pub = publicAccessible(t);
        }
        t.end();
        Share share = new Share(name, s.namespaceId(), s.database(), s.pgDatabase(), shareIds.incrementAndGet(), pub);
        if (shares.putIfAbsent(key(s.namespaceId(), name), share) != null) {
            throw error("datashare \"" + name + "\" already exists");
        }
    }

    /** {@code [SET] PUBLICACCESSIBLE [=] TRUE | FALSE} */
    private static boolean publicAccessible(Lexer t) throws SQLException {
        t.accept("set");
        t.expect("publicaccessible");
        t.acceptSymbol("=");
        if (t.accept("true")) {
            return true;
        }
        t.expect("false");
        return false;
    }

    private void alterDatashare(Session s, Lexer t) throws SQLException {
        String name = t.identifier();
        synchronized (this) {
            Share share = outbound(s, name);
            if (t.peek("set")) {
                share.publicAccessible = publicAccessible(t);
                t.end();
                return;
            }
            boolean add = t.accept("add");
            if (!add) {
                t.expect("remove");
            }
            if (t.accept("schema")) {
                for (String schema : t.identifierList()) {
                    if (add) {
                        requireSchema(share, schema);
                        if (!share.schemas.add(schema)) {
                            throw error("schema \"" + schema + "\" is already in datashare \"" + name + "\"");
                        }
                    } else {
                        share.schemas.remove(schema);
                        share.tables.removeIf(x -> x.startsWith(schema + "."));
                    }
                }
            } else if (t.accept("all")) {
                t.expect("tables");
                t.expect("in");
                t.expect("schema");
                for (String schema : t.identifierList()) {
                    List<String> tables = tablesOf(share.pgDatabase, schema);
                    if (add) {
                        requireSchemaAdded(share, schema);
                        tables.forEach(x -> share.tables.add(schema + "." + x));
                    } else {
                        tables.forEach(x -> share.tables.remove(schema + "." + x));
                    }
                }
            } else {
                t.expect("table");
                do {
                    String schema = t.identifier();
                    t.expectSymbol(".");
                    String table = t.identifier();
                    if (add) {
                        requireSchemaAdded(share, schema);
                        if (!tablesOf(share.pgDatabase, schema).contains(table)) {
                            throw error("relation \"" + schema + "." + table + "\" does not exist");
                        }
                        if (!share.tables.add(schema + "." + table)) {
                            throw error("relation \"" + schema + "." + table + "\" is already in datashare \"" + name + "\"");
                        }
                    } else {
                        share.tables.remove(schema + "." + table);
                    }
                } while (t.acceptSymbol(","));
            }
            t.end();
        }
    }

    private void requireSchema(Share share, String schema) throws SQLException {
        Connection c = pg.borrow(share.pgDatabase);
        try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
            q.setString(1, schema);
            try (ResultSet r = q.executeQuery()) {
                if (!r.next()) {
                    throw error("schema \"" + schema + "\" does not exist");
                }
            }
        } finally {
            pg.release(share.pgDatabase, c);
        }
    }

    private static void requireSchemaAdded(Share share, String schema) throws SQLException {
        if (!share.schemas.contains(schema)) {
            throw error("schema \"" + schema + "\" is not added to datashare \"" + share.name
                    + "\": ALTER DATASHARE " + share.name + " ADD SCHEMA " + schema + " first");
        }
    }

    private List<String> tablesOf(String pgDatabase, String schema) throws SQLException {
        List<String> out = new ArrayList<>();
        Connection c = pg.borrow(pgDatabase);
        try (PreparedStatement q = c.prepareStatement("SELECT c.relname FROM pg_class c JOIN pg_namespace n "
                + "ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY 1")) {
            q.setString(1, schema);
            try (ResultSet r = q.executeQuery()) {
                while (r.next()) {
                    out.add(r.getString(1));
                }
            }
        } finally {
            pg.release(pgDatabase, c);
        }
        return out;
    }

    private void createDatabase(Session s, Lexer t, String db) throws SQLException {
        t.expect("from");
        t.expect("datashare");
        String name = t.identifier();
        t.expect("of");
        if (t.accept("account")) {
            String acct = t.string();
            if (!acct.equals(account)) {
                throw error("datashare \"" + name + "\" of account '" + acct + "' is not shared with this namespace");
            }
        }
        String producer = namespaceLiteral(t);
        t.end();
        synchronized (this) {
            Share share = shares.get(key(producer, name));
            if (share == null || !share.consumers.containsKey(s.namespaceId().toLowerCase(Locale.ROOT))) {
                throw error("datashare \"" + name + "\" of namespace '" + producer
                        + "' does not exist or is not shared with this namespace");
            }
            if (db.equals(s.database()) || localDatabases.getOrDefault(s.namespaceId(), Set.of()).contains(db)
                    || inbound.containsKey(key(s.namespaceId(), db))) {
                throw error("database \"" + db + "\" already exists");
            }
            inbound.put(key(s.namespaceId(), db), new Inbound(s.namespaceId(), db, share.producerNamespace, name, Instant.now()));
        }
    }

    private static String namespaceLiteral(Lexer t) throws SQLException {
        t.expect("namespace");
        String id = t.string();
        if (!GUID.matcher(id).matches()) {
            throw error("invalid namespace identifier '" + id + "': a namespace id is a GUID");
        }
        return id.toLowerCase(Locale.ROOT);
    }

    private Share outbound(Session s, String name) throws SQLException {
        Share share = shares.get(key(s.namespaceId(), name));
        if (share == null) {
            throw error("datashare \"" + name + "\" does not exist");
        }
        return share;
    }

    // ---- reads

    /**
     * The statement with its consumer three-part names ({@code db.schema.table} on a database created from a
     * datashare) pointing at foreign tables over the producer's database, after checking the share still holds
     * the table and this namespace still has the grant (made on {@code c}, a superuser's session); and with the SVV
     * views filled in {@code session}, where the statement runs.
     */
    String rewrite(Session s, Connection c, Connection session, String sql) throws SQLException {
        String out = sql;
        if (!inbound.isEmpty()) {
            Matcher m = THREE_PART.matcher(sql);
            StringBuilder b = new StringBuilder();
            boolean changed = false;
            while (m.find()) {
                Inbound in = inbound.get(key(s.namespaceId(), m.group(1).toLowerCase(Locale.ROOT)));
                if (in == null) {
                    continue;
                }
                String schema = m.group(2).toLowerCase(Locale.ROOT);
                String table = m.group(3).toLowerCase(Locale.ROOT);
                String local = foreignSchema(s, c, in, schema, table);
                m.appendReplacement(b, Matcher.quoteReplacement(local + "." + table));
                changed = true;
            }
            if (changed) {
                m.appendTail(b);
                out = b.toString();
            }
        }
        if (SVV.matcher(out).find()) {
            fillViews(s, session); // temporary tables: the statement's own session
        }
        return out;
    }

    private String foreignSchema(Session s, Connection c, Inbound in, String schema, String table) throws SQLException {
        Share share;
        List<String> tables;
        synchronized (this) {
            share = shares.get(key(in.producerNamespace(), in.share()));
            if (share == null || !share.consumers.containsKey(s.namespaceId().toLowerCase(Locale.ROOT))) {
                throw error("permission denied for database " + in.database() + ": datashare \"" + in.share()
                        + "\" of namespace '" + in.producerNamespace() + "' is not shared with this namespace");
            }
            if (!share.tables.contains(schema + "." + table)) {
                throw error("relation \"" + in.database() + "." + schema + "." + table + "\" does not exist");
            }
            tables = share.tables.stream().filter(x -> x.startsWith(schema + "."))
                    .map(x -> x.substring(schema.length() + 1)).sorted().toList();
        }
        String local = "dsh_" + Integer.toHexString((in.database() + "/" + schema).hashCode()) + "_" + schema;
        if (local.length() > 63) {
            local = local.substring(0, 63);
        }
        List<String> users = new TreeSet<>(databaseUsers.getOrDefault(key(s.namespaceId(), in.database()), Set.of()))
                .stream().toList();
        String signature = share.pgDatabase + ":" + schema + ":" + String.join(",", tables)
                + (users.isEmpty() ? "" : ":" + String.join(",", users));
        synchronized (this) {
            try (PreparedStatement q = c.prepareStatement(
                    "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = ?")) {
                q.setString(1, local);
                try (ResultSet r = q.executeQuery()) {
                    if (r.next() && signature.equals(r.getString(1))) {
                        return local;
                    }
                }
            }
            String server = "dsh_srv_" + share.pgDatabase;
            if (server.length() > 63) {
                server = "dsh_srv_" + Integer.toHexString(share.pgDatabase.hashCode());
            }
            try (Statement st = c.createStatement()) {
                st.execute("CREATE EXTENSION IF NOT EXISTS postgres_fdw");
                st.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_foreign_server WHERE srvname = '" + server
                        + "') THEN CREATE SERVER " + server + " FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'localhost', "
                        + "port '" + pg.port() + "', dbname '" + share.pgDatabase + "'); CREATE USER MAPPING FOR CURRENT_USER "
                        + "SERVER " + server + " OPTIONS (user 'postgres'); END IF; END $$");
                st.execute("DROP SCHEMA IF EXISTS " + local + " CASCADE");
                st.execute("CREATE SCHEMA " + local);
                st.execute("IMPORT FOREIGN SCHEMA " + schema + " LIMIT TO (" + String.join(", ", tables) + ") FROM SERVER "
                        + server + " INTO " + local);
                for (String user : users) {
                    // a granted user reads the foreign tables with SELECT only; postgres_fdw connects for it as the
                    // producer's owner (the share decides what is visible), which needs password_required off
                    String grantee = user.equals("public") ? "PUBLIC" : "\"" + user + "\"";
                    st.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_user_mappings WHERE srvname = '" + server
                            + "' AND usename = '" + user + "') THEN CREATE USER MAPPING FOR " + grantee + " SERVER " + server
                            + " OPTIONS (user 'postgres', password_required 'false'); END IF; END $$");
                    st.execute("GRANT USAGE ON SCHEMA " + local + " TO " + grantee);
                    st.execute("GRANT SELECT ON ALL TABLES IN SCHEMA " + local + " TO " + grantee);
                }
                st.execute("COMMENT ON SCHEMA " + local + " IS '" + signature + "'");
            }
        }
        return local;
    }

    private void fillViews(Session s, Connection c) throws SQLException {
        String ns = s.namespaceId().toLowerCase(Locale.ROOT);
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TEMP TABLE IF NOT EXISTS svv_datashares (share_name varchar(128), share_id integer, "
                    + "share_owner integer, source_database varchar(128), consumer_database varchar(128), "
                    + "share_type varchar(8), createdate timestamp, is_publicaccessible boolean, share_acl varchar(256), "
                    + "producer_account varchar(16), producer_namespace varchar(64), managed_by varchar(64))");
            st.execute("CREATE TEMP TABLE IF NOT EXISTS svv_datashare_consumers (share_name varchar(128), "
                    + "consumer_account varchar(16), consumer_namespace varchar(64), share_date timestamp)");
            st.execute("CREATE TEMP TABLE IF NOT EXISTS svv_datashare_objects (share_type varchar(8), "
                    + "share_name varchar(128), object_type varchar(64), object_name varchar(512), "
                    + "producer_account varchar(16), producer_namespace varchar(64), include_new boolean)");
            st.execute("CREATE TEMP TABLE IF NOT EXISTS svv_redshift_databases (database_name varchar(128), "
                    + "database_owner integer, database_type varchar(32), database_acl varchar(128), "
                    + "database_options varchar(128), database_isolation_level varchar(128))");
            // Redshift's columns; identity_type is user, role, group or public
            st.execute("CREATE TEMP TABLE IF NOT EXISTS svv_database_privileges (database_name text, privilege_type text, "
                    + "identity_id integer, identity_name text, identity_type text, admin_option boolean, privilege_scope text)");
            st.execute("TRUNCATE svv_datashares, svv_datashare_consumers, svv_datashare_objects, svv_redshift_databases, "
                    + "svv_database_privileges");
        }
        try (PreparedStatement ds = c.prepareStatement("INSERT INTO svv_datashares VALUES (?, ?, 100, ?, ?, ?, ?, ?, NULL, ?, ?, NULL)");
                PreparedStatement dc = c.prepareStatement("INSERT INTO svv_datashare_consumers VALUES (?, ?, ?, ?)");
                PreparedStatement dob = c.prepareStatement("INSERT INTO svv_datashare_objects VALUES (?, ?, ?, ?, ?, ?, ?)");
                PreparedStatement db = c.prepareStatement(
                        "INSERT INTO svv_redshift_databases VALUES (?, 100, ?, NULL, NULL, 'Snapshot Isolation')");
                PreparedStatement dp = c.prepareStatement("INSERT INTO svv_database_privileges VALUES (?, 'USAGE', "
                        + "(SELECT oid::integer FROM pg_roles WHERE rolname = ?), ?, ?, false, 'DATABASE')")) {
            synchronized (this) {
                for (Share share : shares.values()) {
                    boolean mine = share.producerNamespace.equalsIgnoreCase(ns);
                    boolean granted = share.consumers.containsKey(ns);
                    if (!mine && !granted) {
                        continue;
                    }
                    String type = mine ? "OUTBOUND" : "INBOUND";
                    ds.setString(1, share.name);
                    ds.setInt(2, share.id);
                    ds.setString(3, mine ? share.sourceDatabase : null);
                    ds.setString(4, mine ? null : inbound.values().stream()
                            .filter(i -> i.consumerNamespace().equalsIgnoreCase(ns)
                                    && i.producerNamespace().equalsIgnoreCase(share.producerNamespace)
                                    && i.share().equals(share.name))
                            .map(Inbound::database).findFirst().orElse(null));
                    ds.setString(5, type);
                    ds.setTimestamp(6, Timestamp.from(share.createdAt));
                    ds.setBoolean(7, share.publicAccessible);
                    ds.setString(8, account);
                    ds.setString(9, share.producerNamespace);
                    ds.executeUpdate();
                    if (mine) {
                        for (Map.Entry<String, Instant> e : share.consumers.entrySet()) {
                            dc.setString(1, share.name);
                            dc.setString(2, account);
                            dc.setString(3, e.getKey());
                            dc.setTimestamp(4, Timestamp.from(e.getValue()));
                            dc.executeUpdate();
                        }
                    }
                    List<String[]> objects = new ArrayList<>();
                    share.schemas.forEach(x -> objects.add(new String[] { "schema", x }));
                    new TreeSet<>(share.tables).forEach(x -> objects.add(new String[] { "table", x }));
                    for (String[] o : objects) {
                        dob.setString(1, type);
                        dob.setString(2, share.name);
                        dob.setString(3, o[0]);
                        dob.setString(4, o[1]);
                        dob.setString(5, account);
                        dob.setString(6, share.producerNamespace);
                        if (o[0].equals("schema") && mine) {
                            dob.setBoolean(7, false);
                        } else {
                            dob.setNull(7, java.sql.Types.BOOLEAN);
                        }
                        dob.executeUpdate();
                    }
                }
                Set<String> locals = new TreeSet<>(localDatabases.getOrDefault(s.namespaceId(), Set.of()));
                locals.add(s.database());
                for (String name : locals) {
                    db.setString(1, name);
                    db.setString(2, "local");
                    db.executeUpdate();
                }
                for (Inbound in : inbound.values()) {
                    if (in.consumerNamespace().equalsIgnoreCase(ns)) {
                        db.setString(1, in.database());
                        db.setString(2, "shared");
                        db.executeUpdate();
                        for (String user : new TreeSet<>(databaseUsers.getOrDefault(key(ns, in.database()), Set.of()))) {
                            dp.setString(1, in.database());
                            dp.setString(2, user);
                            dp.setString(3, user);
                            dp.setString(4, user.equals("public") ? "public" : "user");
                            dp.executeUpdate();
                        }
                    }
                }
            }
        }
    }

    static SQLException error(String message) {
        return new SQLException("ERROR: " + message, "42000");
    }

    // ---- a small lexer for the data-sharing statements

    /** Identifiers (lower-cased unless quoted), 'string' literals, numbers and symbols; errors as Redshift words them. */
    static final class Lexer {
        private record Token(char kind, String text, String value) {
        }

        private final List<Token> tokens = new ArrayList<>();
        private int at;

        Lexer(String sql) throws SQLException {
            int i = 0;
            int n = sql.length();
            while (i < n) {
                char ch = sql.charAt(i);
                if (Character.isWhitespace(ch)) {
                    i++;
                } else if (Character.isLetter(ch) || ch == '_') {
                    int j = i;
                    while (j < n && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_' || sql.charAt(j) == '$')) {
                        j++;
                    }
                    String w = sql.substring(i, j);
                    tokens.add(new Token('i', w, w.toLowerCase(Locale.ROOT)));
                    i = j;
                } else if (Character.isDigit(ch)) {
                    int j = i;
                    while (j < n && Character.isDigit(sql.charAt(j))) {
                        j++;
                    }
                    tokens.add(new Token('n', sql.substring(i, j), sql.substring(i, j)));
                    i = j;
                } else if (ch == '\'' || ch == '"') {
                    StringBuilder v = new StringBuilder();
                    int j = i + 1;
                    while (true) {
                        if (j >= n) {
                            throw error("unterminated " + (ch == '"' ? "quoted identifier" : "quoted string") + " at or near \""
                                    + sql.substring(i) + "\"");
                        }
                        char x = sql.charAt(j);
                        if (x == ch) {
                            if (j + 1 < n && sql.charAt(j + 1) == ch) {
                                v.append(ch);
                                j += 2;
                                continue;
                            }
                            break;
                        }
                        v.append(x);
                        j++;
                    }
                    tokens.add(new Token(ch == '"' ? 'q' : 's', sql.substring(i, j + 1), v.toString()));
                    i = j + 1;
                } else {
                    tokens.add(new Token('p', String.valueOf(ch), String.valueOf(ch)));
                    i++;
                }
            }
            while (!tokens.isEmpty() && tokens.get(tokens.size() - 1).text().equals(";")) {
                tokens.remove(tokens.size() - 1);
            }
        }

        boolean atEnd() {
            return at >= tokens.size();
        }

        boolean peek(String keyword) {
            return !atEnd() && tokens.get(at).kind() == 'i' && tokens.get(at).value().equals(keyword);
        }

        boolean accept(String keyword) {
            if (peek(keyword)) {
                at++;
                return true;
            }
            return false;
        }

        void expect(String keyword) throws SQLException {
            if (!accept(keyword)) {
                throw syntax();
            }
        }

        boolean acceptSymbol(String symbol) {
            if (!atEnd() && tokens.get(at).kind() == 'p' && tokens.get(at).text().equals(symbol)) {
                at++;
                return true;
            }
            return false;
        }

        void expectSymbol(String symbol) throws SQLException {
            if (!acceptSymbol(symbol)) {
                throw syntax();
            }
        }

        String identifier() throws SQLException {
            if (atEnd() || (tokens.get(at).kind() != 'i' && tokens.get(at).kind() != 'q')) {
                throw syntax();
            }
            return tokens.get(at++).value();
        }

        List<String> identifierList() throws SQLException {
            List<String> out = new ArrayList<>();
            do {
                out.add(identifier());
            } while (acceptSymbol(","));
            return out;
        }

        String number() throws SQLException {
            if (atEnd() || tokens.get(at).kind() != 'n') {
                throw syntax();
            }
            return tokens.get(at++).value();
        }

        String string() throws SQLException {
            if (atEnd() || tokens.get(at).kind() != 's') {
                throw syntax();
            }
            return tokens.get(at++).value();
        }

        void end() throws SQLException {
            if (!atEnd()) {
                throw syntax();
            }
        }

        SQLException syntax() {
            return atEnd() ? error("syntax error at end of input")
                    : error("syntax error at or near \"" + tokens.get(at).text() + "\"");
        }
    }
}
