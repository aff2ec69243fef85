package dev.hookhub.store;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Long statements (the delete core's is about 2,600 characters) stay prepared on their connection, so
 * PostgreSQL parses and plans them once per connection, not on every call.
 */
@QuarkusTest
class PreparedStatementPoolTest {

    @Inject
    Pool pool;

    @Test
    void aStatementLongerThanTheClientDefaultLimitIsPreparedOnce() {
        // Well past the Vert.x default of 2048 characters; the padding is part of the statement text.
        String sql = "select $1::int + 1 as n /* " + "x".repeat(3000) + " */";
        List<String> prepared = pool.withConnection(connection -> connection.preparedQuery(sql).execute(Tuple.of(1))
                .flatMap(first -> connection.preparedQuery(sql).execute(Tuple.of(2)))
                .flatMap(second -> connection.query(
                        "select statement from pg_prepared_statements where statement like 'select $1::int + 1 as n%'")
                        .execute())
                .map(rows -> {
                    List<String> statements = new ArrayList<>();
                    for (Row row : rows) {
                        statements.add(row.getString("statement"));
                    }
                    return statements;
                }))
                .await().atMost(Duration.ofSeconds(10));
        assertEquals(1, prepared.size(), "one named prepared statement held by the connection: " + prepared.size());
        assertTrue(prepared.get(0).length() > 3000);
    }
}
