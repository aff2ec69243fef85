package dev.hookhub.api.compat;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * API.md §1 and §2 across all six surfaces: a subscription created through /v1 is deletable through
 * each one, and once deleted through any of them it is gone for every surface.
 */
@QuarkusTest
class CrossDialectDeleteTest {

    /** A surface, with the status of its successful delete and of its not-found. */
    enum Surface {
        V1(204), M3TER(200), HIMARLEY(200), SERVICESTACK(200), CRO(200), IDENTITYCLOUD(204);

        final int success;

        Surface(int success) {
            this.success = success;
        }
    }

    static Api.Tenant tenant;
    static String apiKey;
    static String identityCloudToken;

    @BeforeEach
    void tenant() {
        if (tenant == null) {
            tenant = Api.tenant();
            apiKey = Api.apiKey(tenant.orgId());
            identityCloudToken = given().auth().preemptive().basic(tenant.clientId(), tenant.clientSecret())
                    .formParam("grant_type", "client_credentials").post("/" + tenant.orgId() + "/login/token")
                    .then().statusCode(200).extract().path("access_token");
        }
    }

    /** Deletes through a surface and answers the status. */
    static int delete(Surface surface, Map<String, Object> subscription) {
        String id = (String) subscription.get("id");
        return switch (surface) {
            case V1 -> given().header("Authorization", tenant.bearer()).delete("/v1/subscriptions/" + id).statusCode();
            case M3TER -> given().header("Authorization", tenant.bearer())
                    .delete("/organizations/" + tenant.orgId() + "/integrationdestinations/webhooks/" + id).statusCode();
            case HIMARLEY -> given().header("x-api-key", apiKey).delete("/webhooks/unregister/" + id).statusCode();
            case SERVICESTACK -> given().contentType(ContentType.JSON)
                    .body(Map.of("id", id, "secret", subscription.get("secret")))
                    .post("/sync/webhooks/subscriptions/" + id + "/delete").statusCode();
            case CRO -> given().header("Authorization", tenant.bearer()).header("x-tenant-id", tenant.number())
                    .delete("/hooks/" + subscription.get("number")).statusCode();
            case IDENTITYCLOUD -> given().header("Authorization", "Bearer " + identityCloudToken)
                    .delete("/" + tenant.orgId() + "/webhooks/subscriptions/" + id).statusCode();
        };
    }

    @ParameterizedTest
    @EnumSource(Surface.class)
    void createdThroughV1DeletedThroughOneGoneForAll(Surface deleter) {
        Map<String, Object> subscription = Api.createSubscription(tenant);
        UUID id = UUID.fromString((String) subscription.get("id"));

        assertEquals(deleter.success, delete(deleter, subscription), "delete through " + deleter);
        assertEquals(1, Database.count("select count(*) from subscription where id = ? and deleted_at is not null", id));

        Api.getSubscription(tenant, id).then().statusCode(404);
        for (Surface other : Surface.values()) {
            assertEquals(404, delete(other, subscription), "after a delete through " + deleter + ", " + other + " finds nothing");
        }
        assertEquals(1, Database.count("select count(*) from audit where subscription_id = ? and action = 'subscription.delete'", id),
                "one delete, one audit record");
    }
}
