package dev.hookhub.support;

import io.restassured.http.ContentType;

import java.util.Map;

import static io.restassured.RestAssured.given;

/**
 * The six surfaces' delete routes, each called the way its vendor's clients call it, with the credential
 * it takes: hookhub's bearer token (/v1, m3ter, CRO), Identity Cloud's own login token, Hi Marley's API key,
 * ServiceStack's subscription secret. Against RestAssured's current base URI and port.
 */
public final class Surfaces {

    /** A surface, with the status of its successful delete. */
    public enum Surface {
        V1(204), M3TER(200), HIMARLEY(200), SERVICESTACK(200), CRO(200), IDENTITYCLOUD(204);

        public final int success;

        Surface(int success) {
            this.success = success;
        }
    }

    /** One org's credentials for every surface. */
    public record Credentials(Api.Tenant tenant, String apiKey, String identityCloudToken) {

        /** The tenant's credentials: a new API key and a token from Identity Cloud's login. */
        public static Credentials of(Api.Tenant tenant) {
            String identityCloudToken = given().auth().preemptive().basic(tenant.clientId(), tenant.clientSecret())
                    .formParam("grant_type", "client_credentials").post("/" + tenant.orgId() + "/login/token")
                    .then().statusCode(200).extract().path("access_token");
            return new Credentials(tenant, Api.apiKey(tenant.orgId()), identityCloudToken);
        }
    }

    private Surfaces() {
    }

    /** Deletes the subscription (a /v1 create answer) through a surface and answers the status. */
    public static int delete(Surface surface, Credentials credentials, Map<String, Object> subscription) {
        Api.Tenant tenant = credentials.tenant();
        String id = (String) subscription.get("id");
        return switch (surface) {
            case V1 -> given().header("Authorization", tenant.bearer()).delete("/v1/subscriptions/" + id).statusCode();
            case M3TER -> given().header("Authorization", tenant.bearer())
                    .delete("/organizations/" + tenant.orgId() + "/integrationdestinations/webhooks/" + id).statusCode();
            case HIMARLEY -> given().header("x-api-key", credentials.apiKey()).delete("/webhooks/unregister/" + id)
                    .statusCode();
            case SERVICESTACK -> given().contentType(ContentType.JSON)
                    .body(Map.of("id", id, "secret", subscription.get("secret")))
                    .post("/sync/webhooks/subscriptions/" + id + "/delete").statusCode();
            case CRO -> given().header("Authorization", tenant.bearer()).header("x-tenant-id", tenant.number())
                    .delete("/hooks/" + subscription.get("number")).statusCode();
            case IDENTITYCLOUD -> given().header("Authorization", "Bearer " + credentials.identityCloudToken())
                    .delete("/" + tenant.orgId() + "/webhooks/subscriptions/" + id).statusCode();
        };
    }
}
