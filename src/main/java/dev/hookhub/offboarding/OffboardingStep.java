package dev.hookhub.offboarding;

/** The steps of an offboarding, in order; each is batches until nothing of its kind is left. */
public enum OffboardingStep {
    /** Live subscriptions, through the delete core (tombstone, pending deliveries, secrets, audit). */
    subscriptions,
    /** API clients, API keys (revoked when the offboarding started) and event types. */
    credentials,
    /** Events and their deliveries (index event_org_created). */
    events,
    /** The attempts of the org's tombstones, then the tombstones (the history's only handle). */
    attempts,
    /** The last check that nothing is left, the organization row, the audit record. */
    finishing,
    /** Completed. */
    done
}
