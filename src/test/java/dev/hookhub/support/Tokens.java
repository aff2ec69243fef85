package dev.hookhub.support;

import io.restassured.RestAssured;
import org.eclipse.microprofile.config.ConfigProvider;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

/**
 * Bearer tokens a client cannot get from /oauth/token (expired, short-lived, forged), signed here with the
 * JDK's own signatures (not hookhub's TokenIssuer) with the test profile's key, or with a stranger's key,
 * under the key id hookhub publishes in its JWK set.
 */
public final class Tokens {

    private Tokens() {
    }

    /** A token for the tenant's client that was valid from two hours ago until one hour ago. */
    public static String expired(Api.Tenant tenant) {
        Instant now = Instant.now();
        return signed(tenant.clientId(), now.minusSeconds(7200), now.minusSeconds(3600));
    }

    /** A token of hookhub's issuer for this subject, signed with hookhub's own (test profile) key. */
    public static String signed(String subject, Instant issuedAt, Instant expiresAt) {
        return signed(issuer(), subject, issuedAt, expiresAt, ourSigningKey());
    }

    /**
     * A token with the given issuer and subject, signed by the given key (EC: ES256, RSA: RS256) under
     * hookhub's key id, in hookhub's compact form (no typ, no jti) so that it fits CRO's header like a real one.
     */
    public static String signed(String issuer, String subject, Instant issuedAt, Instant expiresAt, PrivateKey key) {
        String claims = "{\"iss\":\"" + issuer + "\",\"sub\":\"" + subject + "\""
                + (issuedAt == null ? "" : ",\"iat\":" + issuedAt.getEpochSecond()) + ",\"exp\":" + expiresAt.getEpochSecond() + "}";
        return compact("{\"alg\":\"" + (key.getAlgorithm().equals("EC") ? "ES256" : "RS256") + "\",\"kid\":\""
                + ourKeyId() + "\"}", claims, key);
    }

    /** A compact JWS of this header and these claims, signed with the JDK's own ECDSA (P1363 form) or RSA. */
    public static String compact(String header, String claims, PrivateKey key) {
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String input = url.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + url.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        try {
            Signature signature = Signature.getInstance(key.getAlgorithm().equals("EC") ? "SHA256withECDSAinP1363Format"
                    : "SHA256withRSA");
            signature.initSign(key);
            signature.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + url.encodeToString(signature.sign());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String issuer() {
        return ConfigProvider.getConfig().getValue("hookhub.token.issuer", String.class);
    }

    /** The key id of hookhub's signing key, as its JWK set publishes it. */
    public static String ourKeyId() {
        Map<String, Object> first = RestAssured.given().get("/.well-known/jwks.json").then().statusCode(200)
                .extract().jsonPath().getMap("keys[0]");
        return (String) first.get("kid");
    }

    public static PrivateKey ourSigningKey() {
        try {
            String base64 = ConfigProvider.getConfig().getValue("hookhub.token.signing-key", String.class);
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A private key nobody trusts: EC P-256, or RSA 2048. */
    public static PrivateKey strangersKey(String type) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(type);
            if (type.equals("EC")) {
                generator.initialize(new ECGenParameterSpec("secp256r1"));
            } else {
                generator.initialize(2048);
            }
            return generator.generateKeyPair().getPrivate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The header or claims of a compact JWS, decoded (part 0 or 1). */
    public static Map<String, Object> part(String token, int index) {
        String json = new String(Base64.getUrlDecoder().decode(token.split("\\.")[index]), StandardCharsets.UTF_8);
        return io.restassured.path.json.JsonPath.from(json).getMap("");
    }
}
