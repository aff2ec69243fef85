package dev.hookhub.store;

import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.spi.PgDriver;
import io.vertx.sqlclient.Pool;
import jakarta.inject.Singleton;

/**
 * Creates the reactive PostgreSQL pool so that every statement is prepared once per connection.
 *
 * <p>{@code quarkus.datasource.reactive.cache-prepared-statements} caches prepared statements, but the
 * Vert.x client skips statements longer than {@link PgConnectOptions#DEFAULT_PREPARED_STATEMENT_CACHE_SQL_LIMIT}
 * (2048) characters, and Quarkus has no setting for that limit. The delete core's statement is longer,
 * so without this it was parsed and planned again on every delete (three times the database CPU of the
 * same statement prepared once; bench/README.md).
 */
@Singleton
public class PreparedStatementPool implements PgPoolCreator {

    /** Statements up to this many characters are cached; hookhub's longest is about 2,600. */
    static final int SQL_LIMIT = 16_384;

    @Override
    public Pool create(Input input) {
        for (PgConnectOptions options : input.pgConnectOptionsList()) {
            options.setPreparedStatementCacheSqlLimit(SQL_LIMIT);
        }
        return PgDriver.INSTANCE.createPool(input.vertx(), input.pgConnectOptionsList(), input.poolOptions());
    }
}
