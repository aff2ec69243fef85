package dev.hookhub.api.v1;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hookhub.HookhubConfig;
import dev.hookhub.delivery.DeliveryHistory;
import dev.hookhub.delivery.EventErasure;
import dev.hookhub.subscription.Subscription;
import dev.hookhub.subscription.SubscriptionDraft;
import dev.hookhub.subscription.SubscriptionRules;
import dev.hookhub.support.Rejection;
import dev.hookhub.tenancy.AuditRecord;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** Entity to /v1 view and /v1 input to core draft. */
final class V1Mapper {

    private V1Mapper() {
    }

    /**
     * The subscription as /v1 shows it; {@code held} null leaves the field out (lists). maxInFlight is the
     * instance default when it has none; pace is the adaptive pace now.
     */
    static V1Dtos.SubscriptionView view(Subscription s, String secret, String keyId, Long held,
            HookhubConfig.Delivery delivery) {
        return new V1Dtos.SubscriptionView(s.id, s.number, s.orgId, s.name, s.description, s.code, s.url,
                List.copyOf(s.events), s.contentType, s.headers == null ? Map.of() : s.headers, s.active, s.version,
                s.createdAt, s.createdBy, s.modifiedAt, s.modifiedBy, s.deletedAt, s.deletedBy, s.lastHttpSuccess,
                s.lastHttpFail, s.ownerPublicKey, s.paused(), s.pausedAt, s.rateLimit,
                s.maxInFlight == null ? delivery.maxInFlightPerSubscription() : s.maxInFlight, s.ordering,
                s.paceAt(Instant.now(), delivery.paceRecovery()), held, secret, keyId);
    }

    static SubscriptionDraft draft(V1Dtos.SubscriptionInput in) {
        return new SubscriptionDraft(in.name(), in.description(), in.code(), in.url(), in.events(), in.contentType(),
                in.headers(), in.active(), in.secret(), in.ownerPublicKey(),
                setting("rateLimit", in.rateLimit(), SubscriptionRules.RATE_LIMIT_RULE),
                setting("maxInFlight", in.maxInFlight(), SubscriptionRules.MAX_IN_FLIGHT_RULE), in.ordering());
    }

    /** An integer setting: absent (null: unchanged), null (empty: cleared) or an integer; anything else is a 400. */
    private static OptionalLong setting(String field, JsonNode value, String rule) {
        if (value == null) {
            return null;
        }
        if (value.isNull()) {
            return OptionalLong.empty();
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw Rejection.invalidField(field, rule);
        }
        return OptionalLong.of(value.longValue());
    }

    static V1Dtos.DeliveryView view(DeliveryHistory.DeliveryState d) {
        return new V1Dtos.DeliveryView(d.id(), d.subscriptionId(), d.status(), d.attempts(), d.dueAt(), d.createdAt(),
                d.completedAt());
    }

    static V1Dtos.AttemptView view(DeliveryHistory.Attempt a) {
        return new V1Dtos.AttemptView(a.id(), a.deliveryId(), a.subscriptionId(), a.eventId(), a.attemptedAt(),
                a.statusCode(), a.statusDescription(), a.durationMs(), a.eventErased());
    }

    static V1Dtos.EventErased view(EventErasure.Erased e) {
        return new V1Dtos.EventErased(e.id(), e.erasedAt(), e.cancelledDeliveries());
    }

    static V1Dtos.AuditItem view(AuditRecord r) {
        return new V1Dtos.AuditItem(r.id, r.action, r.actor, r.surface, r.remoteAddress, r.subscriptionId, r.target, r.at);
    }
}
