package dev.hookhub;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * Readiness is DOWN, within a second, when the database cannot be reached; liveness stays UP; requests
 * that need the database answer 503 with Retry-After in their surface's shape, and say nothing was changed
 * (a refused connection never reached the database).
 */
@QuarkusTest
@TestProfile(ReadinessWithoutDatabaseTest.UnreachableDatabase.class)
class ReadinessWithoutDatabaseTest {

    public static class UnreachableDatabase implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.datasource.reactive.url", "postgresql://127.0.0.1:1/nowhere",
                    "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:1/nowhere",
                    "quarkus.flyway.migrate-at-start", "false");
        }
    }

    @Test
    void readyIsDownLiveIsUp() {
        given().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"));
        // Once warm (the first request also loads classes): DOWN within a second, whatever the database does.
        given().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"))
                .time(lessThan(1_000L));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void requestsAnswer503WithRetryAfter() {
        String id = UUID.randomUUID().toString();
        given().header("x-api-key", "hk_whatever").delete("/webhooks/unregister/" + id)
                .then().statusCode(503).header("Retry-After", "5").contentType("application/problem+json")
                .body("status", is(503)).body("title", equalTo("Service Unavailable"))
                .body("detail", equalTo("The database is unavailable; nothing was changed. Retry after 5 seconds."));
        given().contentType(ContentType.JSON).body(Map.of("id", id, "secret", "whsec_x"))
                .post("/sync/webhooks/subscriptions/" + id + "/delete")
                .then().statusCode(503).header("Retry-After", "5")
                .body("responseStatus.errorCode", equalTo("ServiceUnavailable"))
                .body("responseStatus.message", equalTo("The database is unavailable; nothing was changed. Retry after 5 seconds."));
    }
}
