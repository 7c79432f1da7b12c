package io.shiftwork.local.redshift;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.shiftwork.local.LocalSecrets;

/**
 * Which PostgreSQL role a Data API statement runs as. With {@code SecretArn} the secret's {@code username} (read
 * from Secrets Manager in moto, as the Data API does): a secret that does not exist or names no user of the
 * database fails the statement, as in Redshift. With {@code DbUser} (temporary credentials, provisioned clusters)
 * that user when it is a role of the local PostgreSQL. A superuser, no user, or a DbUser that is no role here runs
 * as the emulator's own superuser, as the local Redshift always did (its tests' {@code awsuser} is Redshift's usual
 * admin user). Such a statement runs on a session logged in as that user ({@link LocalPostgres#borrow(String, String)}),
 * never on the superuser's. The password in a secret is not checked: the embedded PostgreSQL trusts local connections.
 */
final class DatabaseUsers {

    private static final Duration CACHE = Duration.ofSeconds(10);

    private record Cached(String username, Instant until) {
    }

    private final LocalSecrets secrets;
    private final Map<String, Cached> byArn = new ConcurrentHashMap<>();

    DatabaseUsers(LocalSecrets secrets) {
        this.secrets = secrets;
    }

    /** The role this statement runs as (looked up on {@code c}), or empty for the superuser. */
    Optional<String> roleFor(StatementRecord st, Connection c) throws SQLException {
        String user;
        if (st.secretArn != null) {
            user = username(st.secretArn);
        } else if (st.dbUser != null) {
            user = st.dbUser;
            if (!exists(c, user)) {
                return Optional.empty();
            }
        } else {
            return Optional.empty();
        }
        try (PreparedStatement q = c.prepareStatement("SELECT rolsuper FROM pg_roles WHERE rolname = ?")) {
            q.setString(1, user);
            try (ResultSet r = q.executeQuery()) {
                if (!r.next()) {
                    throw new SQLException("ERROR: password authentication failed for user \"" + user + "\"");
                }
                return r.getBoolean(1) ? Optional.empty() : Optional.of(user);
            }
        }
    }

    private static boolean exists(Connection c, String user) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            q.setString(1, user);
            try (ResultSet r = q.executeQuery()) {
                return r.next();
            }
        }
    }

    private String username(String arn) throws SQLException {
        Cached cached = byArn.get(arn);
        if (cached != null && cached.until().isAfter(Instant.now())) {
            return cached.username();
        }
        if (secrets == null) {
            throw new SQLException("ERROR: the local Redshift has no Secrets Manager to read " + arn + " from");
        }
        String username = secrets.json(arn).map(j -> j.path("username").asText(null))
                .orElseThrow(() -> new SQLException("ERROR: secret " + arn + " not found in Secrets Manager"));
        if (username == null) {
            throw new SQLException("ERROR: secret " + arn + " has no username");
        }
        byArn.put(arn, new Cached(username, Instant.now().plus(CACHE)));
        return username;
    }

    void reset() {
        byArn.clear();
    }
}
