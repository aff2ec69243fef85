package dev.hookhub.api.compat.servicestack;

import dev.hookhub.api.compat.servicestack.ServiceStackDtos.ResponseError;
import dev.hookhub.api.compat.servicestack.ServiceStackDtos.ResponseStatus;
import dev.hookhub.negotiation.FormBody;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The DTO's binding and validation without a server (form bodies and none; JSON and MessagePack need the codecs). */
class ServiceStackDeleteRequestTest {

    private static final UUID ID = UUID.fromString("6f1c1c1e-9a52-4a7e-8d0c-3a1f0c2b7d11");
    private static final String CUSTOM = "sync/webhooks/subscriptions/" + ID + "/delete";
    private static final String PREDEFINED = "api/DeleteWebhookSubscription";

    @Test
    void theIdComesFromThePathOrTheBodyAndTheSecretFromTheBody() {
        assertEquals(new ServiceStackDeleteRequest(ID, "s3cret"), parse(CUSTOM, "secret=s3cret"));
        assertEquals(new ServiceStackDeleteRequest(ID, "s3cret"), parse(PREDEFINED, "Id=" + ID + "&SECRET=s3cret"));
        assertEquals(new ServiceStackDeleteRequest(ID, "s3cret"),
                parse(CUSTOM, "id=" + ID.toString().toUpperCase() + "&secret=s3cret"), "ids agree in any case");
    }

    @Test
    void everyInvalidFieldIsListedTheFirstRepeatedInTheStatus() {
        ResponseStatus none = refused(400, PREDEFINED, null, null);
        assertEquals("NotEmpty", none.errorCode());
        assertEquals("'Id' must not be empty.", none.message());
        assertEquals(List.of(new ResponseError("NotEmpty", "Id", "'Id' must not be empty."),
                new ResponseError("NotEmpty", "Secret", "'Secret' must not be empty.")), none.errors());

        assertEquals(List.of(new ResponseError("InvalidFormat", "Id",
                "'Id' must be a webhook subscription id (a UUID), got 'nope'.")),
                refused(400, PREDEFINED, FormBody.MEDIA_TYPE, "id=nope&secret=s").errors());

        UUID other = UUID.fromString("00000000-0000-4000-8000-000000000000");
        ResponseStatus mismatch = refused(400, CUSTOM, FormBody.MEDIA_TYPE, "id=" + other + "&secret=s");
        assertEquals("Equal", mismatch.errorCode());
        assertEquals("'Id' must be equal to the Id in the path ('" + ID + "'), got '" + other + "'.", mismatch.message());
    }

    @Test
    void aBodyOfAnotherTypeIs415AndAnUnreadableFormIsASerializationException() {
        ResponseStatus unsupported = refused(415, CUSTOM, "text/plain", "secret=s");
        assertEquals("UnsupportedMediaType", unsupported.errorCode());
        assertEquals("Content-Type 'text/plain' is not supported: send application/json, application/x-msgpack or "
                + "application/x-www-form-urlencoded.", unsupported.message());
        assertEquals("SerializationException", refused(400, CUSTOM, FormBody.MEDIA_TYPE, "secret=%zz").errorCode());
    }

    private static ServiceStackDeleteRequest parse(String route, String form) {
        return ServiceStackDeleteRequest.parse(route, FormBody.MEDIA_TYPE, form.getBytes(StandardCharsets.UTF_8), null);
    }

    private static ResponseStatus refused(int status, String route, String contentType, String body) {
        ServiceStackError error = assertThrows(ServiceStackError.class, () -> ServiceStackDeleteRequest.parse(route,
                contentType, body == null ? null : body.getBytes(StandardCharsets.UTF_8), null));
        assertEquals(status, error.status());
        return error.body().responseStatus();
    }
}
