package dev.hookhub.support;

import dev.hookhub.store.EmbeddedDatabase;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The test suite's database: an embedded PostgreSQL in a temporary folder, unless the standard
 * QUARKUS_DATASOURCE_* variables name an external one (CI's second run uses the system PostgreSQL).
 */
public class EmbeddedPostgresResource implements QuarkusTestResourceLifecycleManager {

    private boolean started;

    @Override
    public Map<String, String> start() {
        if (System.getenv("QUARKUS_DATASOURCE_REACTIVE_URL") != null || System.getenv("QUARKUS_DATASOURCE_JDBC_URL") != null) {
            return Map.of();
        }
        try {
            Path dir = Files.createTempDirectory("hookhub-test-pg");
            started = true;
            return EmbeddedDatabase.start(dir, 0, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (started) {
            EmbeddedDatabase.stop();
        }
    }
}
