package dev.hookhub.tenancy;

/** Fired (synchronously, after the commit) when an API client is revoked: its cached tokens are forgotten. */
public record ClientRevoked(String clientId) {
}
