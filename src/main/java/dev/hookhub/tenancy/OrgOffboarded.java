package dev.hookhub.tenancy;

import java.util.UUID;

/**
 * CDI event: an org's offboarding has begun and is committed (its clients and keys revoked, its data key
 * destroyed). Fired synchronously on this instance, so that this instance refuses the org's remembered tokens
 * at once; observers must not block (it runs on an event loop). Other instances do not see it: they stop
 * within hookhub.auth.verified-token-cache-time, as for a revoked client.
 */
public record OrgOffboarded(UUID orgId) {
}
