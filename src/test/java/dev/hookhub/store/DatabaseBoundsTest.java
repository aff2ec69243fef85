package dev.hookhub.store;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every pooled connection carries the server-side bounds, and readiness checks the database. */
@QuarkusTest
class DatabaseBoundsTest {

    @Inject
    Pool pool;

    @Test
    void pooledConnectionsCarryTheStatementAndTransactionBounds() {
        Row row = pool.query("select current_setting('statement_timeout') as statement,"
                + " current_setting('idle_in_transaction_session_timeout') as idle").execute()
                .await().atMost(Duration.ofSeconds(10)).iterator().next();
        assertEquals("10s", row.getString("statement"));
        assertEquals("10s", row.getString("idle"));
    }

    @Test
    void readinessIsUpAndNamesTheDatabase() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'Database' }.status", equalTo("UP"));
    }
}
