package dev.hookhub.subscription;

import java.util.UUID;

/** How a surface names the subscription to delete, and within which org. */
public sealed interface DeletionScope {

    /** By id within an org (/v1, m3ter, Identity Cloud). */
    record ById(UUID orgId, UUID id) implements DeletionScope {
    }

    /** By number within an org (CRO's hook_id). */
    record ByNumber(UUID orgId, long number) implements DeletionScope {
    }

    /**
     * By id within the org of a live API key with a writing role, given by the key's SHA-256 (Hi Marley):
     * the key is checked in the delete's own statement, one round trip. Nothing found says neither which
     * (unknown key, read-only key, or no such subscription): the surface asks again to answer.
     */
    record ByWriterKey(byte[] keyDigest, UUID id) implements DeletionScope {
    }

    /** By id alone: the caller proves ownership with the secret instead (ServiceStack). */
    record BySecret(UUID id) implements DeletionScope {
    }

    /**
     * A batch: the org's first {@code limit} live subscriptions in id order (offboarding an org, batch after
     * batch, each its own short transaction; {@link SubscriptionDeletion#deleteBatch}).
     */
    record OfOrg(UUID orgId, int limit) implements DeletionScope {
    }
}
