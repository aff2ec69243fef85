package dev.hookhub.api.compat.cro;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The CRO dialect's knobs, under {@code hookhub.cro.}. */
@ConfigMapping(prefix = "hookhub.cro")
public interface CroConfig {

    /**
     * Longest Authorization header accepted (longer: 400). CRO documents 256 characters, and so does
     * API.md. hookhub's own RS256 access tokens are longer (678 characters; the signature alone is 342),
     * so with the default a CRO caller needs an OIDC provider that issues short tokens; a deployment
     * whose CRO callers use hookhub's own /oauth/token raises this (the dev and test profiles do).
     */
    @WithDefault("256")
    int maxAuthorizationLength();
}
