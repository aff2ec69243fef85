package dev.hookhub.store;

import io.quarkus.logging.Log;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Owns the embedded PostgreSQL server: started only when no datasource URL is configured, kept in a
 * data folder so a restart loses nothing, and stopped with the JVM.
 */
public final class EmbeddedDatabase {

    static final String USER = "postgres";
    static final String DATABASE = "postgres";
    /** JVM-wide marker so a dev-mode restart reuses the server it already started. */
    private static final String STARTED_MARKER = "hookhub-embedded-db-started";

    private static EmbeddedPostgres server;

    private EmbeddedDatabase() {
    }

    /** Starts the embedded server when the configuration asks for it and names no datasource URL. */
    public static synchronized void startIfNeeded() {
        if (System.getProperty(STARTED_MARKER) != null) {
            return;
        }
        Config config = ConfigProvider.getConfig();
        if (isExternallyConfigured(config)) {
            return;
        }
        boolean enabled = config.getOptionalValue("hookhub.embedded-db.enabled", Boolean.class)
                .orElse(false);
        if (!enabled) {
            return;
        }
        Path dataDir = Path.of(config.getOptionalValue("hookhub.embedded-db.data-dir", String.class).orElse("data"))
                .toAbsolutePath().normalize();
        int port = config.getOptionalValue("hookhub.embedded-db.port", Integer.class).orElse(0);
        Map<String, String> props = start(dataDir, port, false);
        props.forEach(System::setProperty);
        System.setProperty(STARTED_MARKER, props.get("quarkus.datasource.reactive.url"));
        Runtime.getRuntime().addShutdownHook(new Thread(EmbeddedDatabase::stop, "embedded-postgres-stop"));
    }

    /** True when the standard datasource variables or properties name a database. */
    public static boolean isExternallyConfigured(Config config) {
        return present(config.getOptionalValue("quarkus.datasource.reactive.url", String.class))
                || present(config.getOptionalValue("quarkus.datasource.jdbc.url", String.class));
    }

    private static boolean present(Optional<String> value) {
        return value.filter(v -> !v.isBlank()).isPresent();
    }

    /**
     * Starts a server on {@code dataDir} and returns the datasource properties that point at it.
     * A temporary folder is wiped on stop; a persistent one is kept.
     */
    public static synchronized Map<String, String> start(Path dataDir, int port, boolean temporary) {
        try {
            Files.createDirectories(dataDir);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(temporary)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("max_connections", "200");
            if (port > 0) {
                builder.setPort(port);
            }
            server = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL in " + dataDir, e);
        }
        int actualPort = server.getPort();
        Log.infof("Database: embedded PostgreSQL on 127.0.0.1:%d, data in %s%s", actualPort, dataDir,
                temporary ? " (temporary)" : "");
        return Map.of(
                "quarkus.datasource.reactive.url", "postgresql://127.0.0.1:" + actualPort + "/" + DATABASE,
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:" + actualPort + "/" + DATABASE,
                "quarkus.datasource.username", USER,
                "quarkus.datasource.password", "postgres");
    }

    public static synchronized void stop() {
        if (server != null) {
            try {
                server.close();
                Log.info("Database: embedded PostgreSQL stopped");
            } catch (IOException e) {
                Log.warn("Database: embedded PostgreSQL did not stop cleanly", e);
            }
            server = null;
        }
    }
}
