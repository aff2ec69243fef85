package dev.hookhub.offboarding;

/**
 * What an offboarding removed (or one batch of it): live subscriptions deleted through the delete core, the
 * pending deliveries that dropped, the delivery rows removed with the events, events, attempts, subscription
 * rows (tombstones, earlier deletes' included), API clients, API keys and event types.
 */
public record Removed(long subscriptions, long deliveriesCancelled, long deliveries, long events, long attempts,
        long tombstones, long clients, long apiKeys, long eventTypes) {

    public static final Removed NOTHING = new Removed(0, 0, 0, 0, 0, 0, 0, 0, 0);

    public long total() {
        return subscriptions + deliveriesCancelled + deliveries + events + attempts + tombstones + clients + apiKeys
                + eventTypes;
    }

    /** The counts as the audit record {@code org.offboard} keeps them (its target), a JSON object. */
    public String asJson() {
        return "{\"subscriptions\":" + subscriptions + ",\"deliveriesCancelled\":" + deliveriesCancelled
                + ",\"deliveries\":" + deliveries + ",\"events\":" + events + ",\"attempts\":" + attempts
                + ",\"tombstones\":" + tombstones + ",\"clients\":" + clients + ",\"apiKeys\":" + apiKeys
                + ",\"eventTypes\":" + eventTypes + "}";
    }
}
