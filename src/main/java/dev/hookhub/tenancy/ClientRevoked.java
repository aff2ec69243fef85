package dev.hookhub.tenancy;

/**
 * CDI event: an API client is revoked, and the revocation is committed. Fired synchronously on this instance
 * by {@link Credentials#revokeClient} after every revoke that answers the client as revoked, a repeated one
 * too, so observers must tolerate repeats and must not block (it runs on the request's event loop). Other
 * instances do not see it.
 */
public record ClientRevoked(String clientId) {
}
