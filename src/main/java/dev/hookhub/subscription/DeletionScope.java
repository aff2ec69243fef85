package dev.hookhub.subscription;

import java.util.UUID;

/** How a surface names the subscription to delete, and within which org. */
public sealed interface DeletionScope {

    /** By id within an org (/v1, m3ter, Hi Marley, Identity Cloud). */
    record ById(UUID orgId, UUID id) implements DeletionScope {
    }

    /** By number within an org (CRO's hook_id). */
    record ByNumber(UUID orgId, long number) implements DeletionScope {
    }

    /** By id alone: the caller proves ownership with the secret instead (ServiceStack). */
    record BySecret(UUID id) implements DeletionScope {
    }
}
