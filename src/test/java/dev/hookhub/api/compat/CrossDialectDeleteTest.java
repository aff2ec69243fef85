package dev.hookhub.api.compat;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import dev.hookhub.support.Surfaces;
import dev.hookhub.support.Surfaces.Surface;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * API.md §1 and §2 across all six surfaces: a subscription created through /v1 is deletable through
 * each one, and once deleted through any of them it is gone for every surface.
 */
@QuarkusTest
class CrossDialectDeleteTest {

    static Surfaces.Credentials credentials;

    @BeforeEach
    void tenant() {
        if (credentials == null) {
            credentials = Surfaces.Credentials.of(Api.tenant());
        }
    }

    @ParameterizedTest
    @EnumSource(Surface.class)
    void createdThroughV1DeletedThroughOneGoneForAll(Surface deleter) {
        Map<String, Object> subscription = Api.createSubscription(credentials.tenant());
        UUID id = UUID.fromString((String) subscription.get("id"));

        assertEquals(deleter.success, Surfaces.delete(deleter, credentials, subscription), "delete through " + deleter);
        assertEquals(1, Database.count("select count(*) from subscription where id = ? and deleted_at is not null", id));

        Api.getSubscription(credentials.tenant(), id).then().statusCode(404);
        for (Surface other : Surface.values()) {
            assertEquals(404, Surfaces.delete(other, credentials, subscription), "after a delete through " + deleter + ", " + other + " finds nothing");
        }
        assertEquals(1, Database.count("select count(*) from audit where subscription_id = ? and action = 'subscription.delete'", id),
                "one delete, one audit record");
    }
}
