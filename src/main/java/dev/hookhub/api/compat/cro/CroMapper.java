package dev.hookhub.api.compat.cro;

import dev.hookhub.subscription.DeletedSubscription;

/** The deleted subscription as CRO's WebhookModel. */
final class CroMapper {

    private CroMapper() {
    }

    static CroDtos.Webhook webhook(DeletedSubscription deleted) {
        return new CroDtos.Webhook(deleted.deletedAt(), deleted.events(), deleted.number(), deleted.lastHttpFail(),
                deleted.lastHttpSuccess(), deleted.url());
    }
}
