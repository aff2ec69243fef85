package dev.hookhub.api.compat.servicestack;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

import java.time.Instant;
import java.util.List;

/**
 * The wire shapes of the PwC report-filing ServiceStack service, named and ordered as its metadata page
 * lists them (seeds/servicestack-pwc-delete-subscription.txt). Like ServiceStack, nulls are left out.
 */
public final class ServiceStackDtos {

    private ServiceStackDtos() {
    }

    /** The request DTO; property names match in any case, as ServiceStack binds them. */
    @JsonFormat(with = JsonFormat.Feature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
    public record DeleteWebhookSubscription(String id, String secret) {
    }

    /** The response DTO; an error carries only {@code responseStatus}, a success everything else. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeleteWebhookSubscriptionResponse(WebhookSubscription subscription,
            List<SubscriptionDeliveryResult> history, ResponseStatus responseStatus) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record WebhookSubscription(String id, String name, String event,
            @JsonProperty("isActive") boolean isActive,
            @JsonSerialize(using = ServiceStackDate.class) Instant createdDateUtc,
            String createdById,
            @JsonSerialize(using = ServiceStackDate.class) Instant lastModifiedDateUtc,
            SubscriptionConfig config) {
    }

    /** {@code secret} is the subscription secret sealed to the owner's RSA key; absent without one. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SubscriptionConfig(String url, String contentType, String secret) {
    }

    /** {@code statusCode} is the .NET {@code HttpStatusCode} name; absent when there was no response. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SubscriptionDeliveryResult(
            @JsonSerialize(using = ServiceStackDate.class) Instant attemptedDateUtc,
            String statusDescription, String statusCode, String subscriptionId, String id, String eventId) {
    }

    /** ServiceStack's error status; never a stack trace. */
    public record ResponseStatus(String errorCode, String message, List<ResponseError> errors) {
    }

    /** One invalid field, FluentValidation style ({@code NotEmpty}, {@code 'Secret' must not be empty.}). */
    public record ResponseError(String errorCode, String fieldName, String message) {
    }
}
