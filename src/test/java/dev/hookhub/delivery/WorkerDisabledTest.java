package dev.hookhub.delivery;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** With hookhub.delivery.worker-enabled=false events still fan out, but nothing is sent: the queue waits. */
@QuarkusTest
@TestProfile(WorkerDisabledTest.NoWorker.class)
class WorkerDisabledTest {

    public static class NoWorker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("hookhub.delivery.worker-enabled", "false");
        }
    }

    @Test
    void eventsQueueButNothingIsSent() {
        try (Receiver receiver = new Receiver()) {
            Api.Tenant tenant = Api.tenant();
            Api.createSubscription(tenant, Map.of("name", "idle", "url", receiver.url("/hook"), "events", List.of("q.ueue")));
            given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                    .body(Map.of("type", "q.ueue", "payload", Map.of()))
                    .post("/v1/events").then().statusCode(202).body("deliveries", is(1));
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> receiver.count() == 0);
            assertEquals(1, Database.count("select count(*) from delivery where org_id = ? and status = 'queued'"
                    + " and attempts = 0", tenant.orgId()));
        }
    }
}
