package dev.hookhub.api.compat.servicestack;

import dev.hookhub.api.compat.servicestack.ServiceStackDtos.DeleteWebhookSubscription;
import dev.hookhub.api.compat.servicestack.ServiceStackDtos.ResponseError;
import dev.hookhub.negotiation.FormBody;
import dev.hookhub.negotiation.ProblemException;
import dev.hookhub.negotiation.WireCodecs;
import dev.hookhub.negotiation.WireFormat;
import dev.hookhub.support.Ids;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A {@code DeleteWebhookSubscription} as ServiceStack binds it: the id from the custom route's path or
 * the body, the secret from a JSON, MessagePack or form body. Refusals are {@link ServiceStackError}s:
 * 415 for another body type, 400 {@code SerializationException} for an unreadable body, 400 listing
 * every invalid field otherwise.
 */
record ServiceStackDeleteRequest(UUID id, String secret) {

    private static final String CUSTOM_ROUTE = "sync/webhooks/subscriptions/";
    private static final String DELETE_SUFFIX = "/delete";

    /** The request of one of {@link ServiceStackResource#ROUTES}, its Content-Type and its body. */
    static ServiceStackDeleteRequest parse(String route, String contentType, byte[] body, WireCodecs codecs) {
        String pathId = route.startsWith(CUSTOM_ROUTE)
                ? route.substring(CUSTOM_ROUTE.length(), route.length() - DELETE_SUFFIX.length()) : null;
        DeleteWebhookSubscription dto = read(contentType, body, codecs);
        return new ServiceStackDeleteRequest(validate(pathId, dto), dto.secret());
    }

    /** The subscription id, or 400 listing every invalid field (path and body ids must agree). */
    private static UUID validate(String pathId, DeleteWebhookSubscription body) {
        List<ResponseError> errors = new ArrayList<>();
        String id = isBlank(body.id()) ? pathId : body.id();
        if (!isBlank(body.id()) && pathId != null && !body.id().equalsIgnoreCase(pathId)) {
            errors.add(new ResponseError("Equal", "Id",
                    "'Id' must be equal to the Id in the path ('" + pathId + "'), got '" + body.id() + "'."));
        } else if (isBlank(id)) {
            errors.add(ServiceStackError.notEmpty("Id"));
        } else if (Ids.parse(id).isEmpty()) {
            errors.add(new ResponseError("InvalidFormat", "Id",
                    "'Id' must be a webhook subscription id (a UUID), got '" + id + "'."));
        }
        if (isBlank(body.secret())) {
            errors.add(ServiceStackError.notEmpty("Secret"));
        }
        if (!errors.isEmpty()) {
            throw ServiceStackError.invalid(errors);
        }
        return Ids.parse(id).orElseThrow();
    }

    /** The request DTO from a JSON, MessagePack or form body (no body: an empty DTO). */
    private static DeleteWebhookSubscription read(String contentType, byte[] body, WireCodecs codecs) {
        if (body == null || body.length == 0) {
            return new DeleteWebhookSubscription(null, null);
        }
        if (FormBody.isForm(contentType)) {
            try {
                FormBody form = FormBody.parse(body);
                return new DeleteWebhookSubscription(form.firstIgnoringCase("id"), form.firstIgnoringCase("secret"));
            } catch (ProblemException e) {
                throw ServiceStackError.unreadable(e.problem());
            }
        }
        WireFormat format = WireFormat.fromContentType(contentType).orElse(null);
        if (format == null) {
            throw ServiceStackError.unsupported(contentType);
        }
        try {
            DeleteWebhookSubscription dto = (DeleteWebhookSubscription) codecs.readBody(format, body,
                    DeleteWebhookSubscription.class);
            return dto == null ? new DeleteWebhookSubscription(null, null) : dto;
        } catch (ProblemException e) {
            throw ServiceStackError.unreadable(e.problem());
        }
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
