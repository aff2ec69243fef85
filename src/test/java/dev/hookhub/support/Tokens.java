package dev.hookhub.support;

import io.smallrye.jwt.build.Jwt;
import org.eclipse.microprofile.config.ConfigProvider;

import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;

/** Bearer tokens a client cannot get from /oauth/token: one that expired an hour ago, signed like the real ones. */
public final class Tokens {

    private Tokens() {
    }

    /** A token for the tenant's client that was valid from two hours ago until one hour ago. */
    public static String expired(Api.Tenant tenant) {
        var config = ConfigProvider.getConfig();
        Instant now = Instant.now();
        return Jwt.issuer(config.getValue("hookhub.token.issuer", String.class))
                .subject(tenant.clientId())
                .claim("org", tenant.orgId().toString())
                .claim("org_number", tenant.number())
                .groups(Set.of("Admin"))
                .issuedAt(now.minusSeconds(7200))
                .expiresAt(now.minusSeconds(3600))
                .jws().keyId("hookhub-1")
                .sign(signingKey(config.getValue("hookhub.token.signing-key", String.class)));
    }

    private static PrivateKey signingKey(String base64) {
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
