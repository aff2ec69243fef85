package dev.hookhub;

import dev.hookhub.store.EmbeddedDatabase;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Entry point: starts the embedded PostgreSQL when no datasource is configured, then Quarkus.
 * Tests never come through here; they get their database from a test resource.
 */
@QuarkusMain
public class HookhubMain {

    public static void main(String... args) {
        EmbeddedDatabase.startIfNeeded();
        Quarkus.run(args);
    }
}
