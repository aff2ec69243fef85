package dev.hookhub.store;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigValue;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.Test;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When the embedded PostgreSQL is offered, and when it is not (no server is started here). */
class EmbeddedDatabaseConfigTest {

    static List<ConfigSource> sources(Map<String, String> config) {
        ConfigSourceContext context = new ConfigSourceContext() {
            @Override
            public ConfigValue getValue(String name) {
                return ConfigValue.builder().withName(name).withValue(config.get(name)).build();
            }

            @Override
            public Iterator<String> iterateNames() {
                return config.keySet().iterator();
            }
        };
        return StreamSupport.stream(new EmbeddedDatabaseConfig().getConfigSources(context).spliterator(), false).toList();
    }

    @Test
    void offeredWhenNoDatasourceIsConfigured() {
        List<ConfigSource> offered = sources(Map.of());
        assertEquals(1, offered.size());
        assertEquals(1, offered.get(0).getOrdinal(), "lowest precedence: any other setting wins");
        assertTrue(offered.get(0).getPropertyNames().contains("quarkus.datasource.reactive.url"));
    }

    @Test
    void notOfferedWithAStandardDatasourceUrl() {
        assertTrue(sources(Map.of("quarkus.datasource.reactive.url", "postgresql://db:5432/x")).isEmpty());
        assertTrue(sources(Map.of("quarkus.datasource.jdbc.url", "jdbc:postgresql://db:5432/x")).isEmpty());
    }

    @Test
    void notOfferedWhenDisabled() {
        assertTrue(sources(Map.of("hookhub.embedded-db.enabled", "false")).isEmpty());
    }
}
