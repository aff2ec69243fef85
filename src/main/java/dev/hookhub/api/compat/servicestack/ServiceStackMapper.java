package dev.hookhub.api.compat.servicestack;

import dev.hookhub.api.compat.servicestack.ServiceStackDtos.DeleteWebhookSubscriptionResponse;
import dev.hookhub.api.compat.servicestack.ServiceStackDtos.SubscriptionConfig;
import dev.hookhub.api.compat.servicestack.ServiceStackDtos.SubscriptionDeliveryResult;
import dev.hookhub.api.compat.servicestack.ServiceStackDtos.WebhookSubscription;
import dev.hookhub.subscription.DeletedSubscription;

/** The deleted subscription as ServiceStack's {@code DeleteWebhookSubscriptionResponse}. */
final class ServiceStackMapper {

    private ServiceStackMapper() {
    }

    /** {@code sealedSecret} is the secret sealed to the owner's key, or null when there is no owner key. */
    static DeleteWebhookSubscriptionResponse response(DeletedSubscription deleted, String sealedSecret) {
        WebhookSubscription subscription = new WebhookSubscription(deleted.id().toString(), deleted.name(),
                deleted.events().get(0), deleted.active(), deleted.createdAt(), deleted.createdBy(),
                deleted.modifiedAt(), new SubscriptionConfig(deleted.url(), deleted.contentType(), sealedSecret));
        String subscriptionId = deleted.id().toString();
        return new DeleteWebhookSubscriptionResponse(subscription, deleted.history().stream()
                .map(a -> new SubscriptionDeliveryResult(a.attemptedAt(), a.statusDescription(),
                        HttpStatusCodeNames.of(a.statusCode()), subscriptionId, a.id().toString(),
                        a.eventId().toString()))
                .toList(), null);
    }
}
