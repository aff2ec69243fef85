package dev.hookhub.tenancy;

import dev.hookhub.HookhubConfig;
import io.smallrye.jwt.build.Jwt;
import jakarta.enterprise.context.ApplicationScoped;

import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Signs the client-credentials access tokens of POST /oauth/token: RS256 JWTs carrying the org (UUID),
 * its number and the roles in {@code groups}. quarkus-oidc verifies them with the matching public key.
 */
@ApplicationScoped
public class TokenIssuer {

    private final HookhubConfig config;
    private final Optional<PrivateKey> signingKey;

    public TokenIssuer(HookhubConfig config) {
        this.config = config;
        this.signingKey = config.token().signingKey().filter(k -> !k.isBlank()).map(TokenIssuer::parsePrivateKey);
    }

    public boolean enabled() {
        return config.token().issuingEnabled() && signingKey.isPresent();
    }

    public long lifetimeSeconds() {
        return config.token().lifetime().toSeconds();
    }

    public String issue(ApiClient client, int orgNumber) {
        return issue(client.clientId, client.orgId, orgNumber, Tenancy.roles(List.of(client.roles)), lifetimeSeconds());
    }

    /**
     * A token for the operator (admin token holder) acting inside one org, e.g. from the console:
     * subject {@code operator}, so audit and createdBy show who it was; no stored credential behind it.
     */
    public String issueForOperator(UUID orgId, int orgNumber, Set<Role> roles, long seconds) {
        return issue("operator", orgId, orgNumber, roles, seconds);
    }

    private String issue(String subject, UUID orgId, int orgNumber, Set<Role> roles, long seconds) {
        return Jwt.issuer(config.token().issuer())
                .subject(subject)
                .claim(config.auth().orgClaim(), orgId.toString())
                .claim("org_number", orgNumber)
                .groups(Tenancy.roleNames(roles))
                .expiresIn(seconds)
                .jws().keyId("hookhub-1")
                .sign(signingKey.orElseThrow());
    }

    static PrivateKey parsePrivateKey(String base64OrPem) {
        try {
            String body = base64OrPem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
        } catch (Exception e) {
            throw new IllegalStateException("HOOKHUB_TOKEN_SIGNING_KEY is not a base64 PKCS#8 RSA private key", e);
        }
    }
}
