package dev.hookhub.subscription;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The one delete core under concurrency, and what a dump of the database would show of secrets. */
@QuarkusTest
class DeletionCoreTest {

    @TestHTTPResource("/")
    URL base;

    @Test
    void ofConcurrentDeletesExactlyOneSucceeds() {
        Api.Tenant tenant = Api.tenant();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int round = 0; round < 10; round++) {
            String id = (String) Api.createSubscription(tenant).get("id");
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                HttpRequest request = HttpRequest.newBuilder(URI.create(base + "v1/subscriptions/" + id))
                        .header("Authorization", tenant.bearer()).DELETE().build();
                calls.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
            }
            List<Integer> statuses = calls.stream().map(CompletableFuture::join).map(HttpResponse::statusCode).sorted().toList();
            assertEquals(List.of(204, 404, 404, 404, 404, 404), statuses, "round " + round);
            assertEquals(1, Database.count("select count(*) from audit where subscription_id = ? and action = 'subscription.delete'",
                    UUID.fromString(id)));
        }
    }

    @Test
    void concurrentPatchAndDeleteNeverResurrect() {
        Api.Tenant tenant = Api.tenant();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int round = 0; round < 10; round++) {
            String id = (String) Api.createSubscription(tenant).get("id");
            var patch = client.sendAsync(HttpRequest.newBuilder(URI.create(base + "v1/subscriptions/" + id))
                    .header("Authorization", tenant.bearer()).header("Content-Type", "application/json")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"name\":\"patched\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            var delete = client.sendAsync(HttpRequest.newBuilder(URI.create(base + "v1/subscriptions/" + id))
                    .header("Authorization", tenant.bearer()).DELETE().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(204, delete.join().statusCode());
            int patched = patch.join().statusCode();
            assertFalse(patched != 200 && patched != 404, "PATCH answered " + patched);
            Map<String, Object> row = Database.query("select deleted_at, active from subscription where id = ?", UUID.fromString(id)).get(0);
            assertFalse(row.get("deleted_at") == null, "still deleted");
            assertEquals(false, row.get("active"));
        }
    }

    @Inject
    SubscriptionDeletion deletion;

    /**
     * A transaction's statements are pipelined on one connection: a refused check or a statement that
     * fails must leave that connection out of any transaction, or the next delete on it would never commit.
     */
    @Test
    void aRefusedOrFailedDeleteLeavesNoConnectionInsideATransaction() {
        Api.Tenant tenant = Api.tenant();
        for (int round = 0; round < 25; round++) {
            UUID refused = UUID.fromString((String) Api.createSubscription(tenant).get("id"));
            DeletionRequest check = DeletionRequest.of(new DeletionScope.ById(tenant.orgId(), refused), "test", "test",
                    "127.0.0.1").verifiedBy(found -> {
                        throw new IllegalStateException("refused");
                    });
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> deletion.delete(check).await().atMost(Duration.ofSeconds(10)));
            assertEquals("refused", e.getMessage());
            // A statement that fails inside the transaction: its time limit runs out on a row locked elsewhere.
            try (Connection blocker = Database.connect()) {
                blocker.setAutoCommit(false);
                // A connection left holding the row's lock would make this wait: fail instead of hanging.
                blocker.createStatement().execute("set lock_timeout = '5s'");
                try (PreparedStatement lock = blocker.prepareStatement("select id from subscription where id = ? for update")) {
                    lock.setObject(1, refused);
                    lock.executeQuery().close();
                }
                DeletionRequest late = DeletionRequest.of(new DeletionScope.ById(tenant.orgId(), refused), "test", "test",
                        "127.0.0.1").within(Duration.ofMillis(100));
                assertThrows(DeletionTimedOut.class, () -> deletion.delete(late).await().atMost(Duration.ofSeconds(10)));
                blocker.rollback();
            } catch (SQLException sql) {
                throw new IllegalStateException(sql);
            }

            UUID deleted = UUID.fromString((String) Api.createSubscription(tenant).get("id"));
            DeletedSubscription gone = deletion.delete(DeletionRequest.of(new DeletionScope.ById(tenant.orgId(), deleted),
                    "test", "test", "127.0.0.1").within(Duration.ofSeconds(5))).await().atMost(Duration.ofSeconds(10));
            assertEquals(deleted, gone.id());
            // Seen committed from another connection, and the refused one untouched.
            assertEquals(1, Database.count("select count(*) from subscription where id = ? and deleted_at is not null", deleted));
            assertEquals(1, Database.count("select count(*) from subscription where id = ? and deleted_at is null", refused));
            assertEquals(0, Database.count("select count(*) from audit where subscription_id = ? and action <> 'subscription.create'",
                    refused));
        }
    }

    @Test
    void noPlaintextSecretIsAnywhereInTheDatabase() {
        Api.Tenant tenant = Api.tenant();
        List<String> secrets = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Map<String, Object> created = Api.createSubscription(tenant);
            secrets.add((String) created.get("secret"));
            secrets.add(given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body(Map.of())
                    .post("/v1/subscriptions/" + created.get("id") + "/secret/rotate").then().statusCode(200)
                    .extract().path("secret"));
        }
        secrets.add(tenant.clientSecret());
        secrets.add(Api.apiKey(tenant.orgId()));
        StringBuilder dump = new StringBuilder();
        for (Map<String, Object> table : Database.query(
                "select table_name from information_schema.tables where table_schema = 'public'")) {
            for (Map<String, Object> row : Database.query("select row_to_json(t)::text as r from \"" + table.get("table_name") + "\" t")) {
                dump.append(row.get("r")).append('\n');
            }
        }
        String text = dump.toString();
        for (String secret : secrets) {
            String hex = HexFormat.of().formatHex(secret.getBytes(StandardCharsets.UTF_8));
            assertFalse(text.contains(secret), "plaintext secret in the database");
            assertFalse(text.contains(hex), "hex-encoded secret in the database");
        }
    }
}
