package dev.hookhub.tenancy;

import java.util.Set;
import java.util.UUID;

/**
 * Who is asking, and in which org: resolved from a bearer token, an API key, or (ServiceStack) the
 * subscription's own secret. {@code actor} is what audit records and createdBy/modifiedBy show.
 */
public record Caller(UUID orgId, String actor, Set<Role> roles) {

    public boolean canWrite() {
        for (Role role : roles) {
            if (role.canWrite()) {
                return true;
            }
        }
        return false;
    }

    /** Whether the caller may read the org's audit trail. */
    public boolean isAdmin() {
        return roles.contains(Role.Admin);
    }

    public boolean canRead() {
        return !roles.isEmpty();
    }
}
