package dev.hookhub.tenancy;

import dev.hookhub.HookhubConfig;
import dev.hookhub.support.Digests;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The keys of hookhub's own token issuer, read and checked once at start (a malformed or mismatched key
 * stops the start and names its variable):
 * <ul>
 * <li>the signing key (HOOKHUB_TOKEN_SIGNING_KEY), an EC P-256 key (ES256, 64-byte signatures: the tokens
 * fit CRO's 256-character Authorization header) or an RSA key (RS256, for a migration only: its tokens do
 * not fit, see {@link TokenIssuer});</li>
 * <li>its public key (HOOKHUB_TOKEN_PUBLIC_KEY);</li>
 * <li>further public keys still (or already) trusted (HOOKHUB_TOKEN_VERIFICATION_KEYS): the previous key
 * during a rotation, until the last token it signed has expired, or the next one before it signs.</li>
 * </ul>
 * Every key has a key id: the first 8 characters of its RFC 7638 JWK thumbprint, unless configured as
 * {@code kid:key}. The public keys are published as a JWK set ({@link #jwks()}).
 */
@Startup
@ApplicationScoped
public class TokenKeys {

    /** A public key that verifies hookhub's tokens, with its key id, JWS algorithm and JWK form. */
    public record VerificationKey(String kid, String alg, PublicKey key, Map<String, Object> jwk) {
    }

    static final String SIGNING_VARIABLE = "HOOKHUB_TOKEN_SIGNING_KEY";
    static final String PUBLIC_VARIABLE = "HOOKHUB_TOKEN_PUBLIC_KEY";
    static final String VERIFICATION_VARIABLE = "HOOKHUB_TOKEN_VERIFICATION_KEYS";
    private static final int KID_LENGTH = 8;
    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

    private final Optional<PrivateKey> signingKey;
    private final Optional<VerificationKey> current;
    private final List<VerificationKey> all;

    @jakarta.inject.Inject
    public TokenKeys(HookhubConfig config) {
        this(config.token().signingKey(), config.token().publicKey(), config.token().verificationKeys());
    }

    TokenKeys(Optional<String> signing, Optional<String> publicKey, Optional<List<String>> verification) {
        this.signingKey = signing.filter(k -> !k.isBlank()).map(TokenKeys::parsePrivateKey);
        this.current = publicKey.filter(k -> !k.isBlank()).map(k -> verificationKey(k, PUBLIC_VARIABLE));
        List<VerificationKey> keys = new ArrayList<>();
        current.ifPresent(keys::add);
        for (String entry : verification.orElse(List.of())) {
            if (!entry.isBlank()) {
                VerificationKey key = verificationKey(entry.strip(), VERIFICATION_VARIABLE);
                if (keys.stream().noneMatch(k -> k.kid().equals(key.kid()))) {
                    keys.add(key);
                }
            }
        }
        this.all = List.copyOf(keys);
        if (signingKey.isPresent()) {
            checkPair();
        }
    }

    /** The key that signs, when this instance issues tokens. */
    public Optional<PrivateKey> signingKey() {
        return signingKey;
    }

    /** The signing key's public half (its kid and alg go into every token's header). */
    public Optional<VerificationKey> current() {
        return current;
    }

    /** Every key a token of this issuer may be signed with: the current one first. */
    public List<VerificationKey> all() {
        return all;
    }

    /** The JWK set of {@link #all()}: {@code {"keys":[...]}}, public parts only. */
    public Map<String, Object> jwks() {
        return Map.of("keys", all.stream().map(VerificationKey::jwk).toList());
    }

    /** The signature of {@code signingInput} by the signing key, in JWS form (ES256: r||s, 64 bytes). */
    public byte[] sign(byte[] signingInput) {
        PrivateKey key = signingKey.orElseThrow();
        try {
            Signature signature = Signature.getInstance(javaAlgorithm(key));
            signature.initSign(key);
            signature.update(signingInput);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Signing a token failed", e);
        }
    }

    /** The JWS algorithm of the signing key: ES256 or RS256. */
    public String signingAlgorithm() {
        return current.map(VerificationKey::alg).orElseThrow();
    }

    private void checkPair() {
        if (current.isEmpty()) {
            throw new IllegalStateException(PUBLIC_VARIABLE + " is required with " + SIGNING_VARIABLE
                    + " (the public key of the signing key)");
        }
        byte[] probe = "hookhub".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature verify = Signature.getInstance(javaAlgorithm(current.get().key()));
            verify.initVerify(current.get().key());
            verify.update(probe);
            if (!verify.verify(sign(probe))) {
                throw new IllegalStateException(PUBLIC_VARIABLE + " is not the public key of " + SIGNING_VARIABLE);
            }
        } catch (GeneralSecurityException | IllegalStateException e) {
            throw new IllegalStateException(PUBLIC_VARIABLE + " is not the public key of " + SIGNING_VARIABLE
                    + " (" + e.getMessage() + ")", e);
        }
    }

    private static String javaAlgorithm(java.security.Key key) {
        return key instanceof ECPrivateKey || key instanceof ECPublicKey ? "SHA256withECDSAinP1363Format"
                : "SHA256withRSA";
    }

    static PrivateKey parsePrivateKey(String base64OrPem) {
        byte[] der = der(base64OrPem, SIGNING_VARIABLE);
        for (String type : List.of("EC", "RSA")) {
            try {
                PrivateKey key = KeyFactory.getInstance(type).generatePrivate(new PKCS8EncodedKeySpec(der));
                if (key instanceof ECPrivateKey ec && ec.getParams().getCurve().getField().getFieldSize() != 256) {
                    throw new IllegalStateException(SIGNING_VARIABLE + " is an EC key on a curve other than P-256");
                }
                return key;
            } catch (GeneralSecurityException e) {
                // try the next type
            }
        }
        throw new IllegalStateException(SIGNING_VARIABLE
                + " is not a base64 (or PEM) PKCS#8 EC P-256 or RSA private key");
    }

    /** A public key as configured: base64 DER or PEM (X.509 SubjectPublicKeyInfo), optionally {@code kid:key}. */
    static VerificationKey verificationKey(String entry, String variable) {
        String kid = null;
        String encoded = entry;
        int colon = entry.indexOf(':');
        if (colon > 0 && !entry.startsWith("-----")) {
            kid = entry.substring(0, colon).strip();
            encoded = entry.substring(colon + 1);
            if (kid.isEmpty() || !kid.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '"' && c != '\\')) {
                throw new IllegalStateException(variable + " has a key id that is not printable ASCII");
            }
        }
        byte[] der = der(encoded, variable);
        for (String type : List.of("EC", "RSA")) {
            try {
                PublicKey key = KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
                return describe(kid, key, variable);
            } catch (GeneralSecurityException e) {
                // try the next type
            }
        }
        throw new IllegalStateException(variable + " is not a base64 (or PEM) X.509 EC P-256 or RSA public key");
    }

    private static VerificationKey describe(String configuredKid, PublicKey key, String variable) {
        Map<String, Object> members = new LinkedHashMap<>();
        String alg;
        if (key instanceof ECPublicKey ec) {
            if (ec.getParams().getCurve().getField().getFieldSize() != 256) {
                throw new IllegalStateException(variable + " has an EC key on a curve other than P-256");
            }
            alg = "ES256";
            members.put("crv", "P-256");
            members.put("kty", "EC");
            members.put("x", URL.encodeToString(unsigned(ec.getW().getAffineX(), 32)));
            members.put("y", URL.encodeToString(unsigned(ec.getW().getAffineY(), 32)));
        } else if (key instanceof RSAPublicKey rsa) {
            alg = "RS256";
            members.put("e", URL.encodeToString(unsigned(rsa.getPublicExponent(), 0)));
            members.put("kty", "RSA");
            members.put("n", URL.encodeToString(unsigned(rsa.getModulus(), 0)));
        } else {
            throw new IllegalStateException(variable + " is neither an EC nor an RSA key");
        }
        // RFC 7638: the required members in lexicographic order, no whitespace; all values here are plain base64url.
        StringBuilder canonical = new StringBuilder("{");
        members.forEach((name, value) -> canonical.append(canonical.length() > 1 ? "," : "")
                .append('"').append(name).append("\":\"").append(value).append('"'));
        canonical.append('}');
        String thumbprint = URL.encodeToString(Digests.sha256(canonical.toString()));
        String kid = configuredKid != null ? configuredKid : thumbprint.substring(0, KID_LENGTH);
        Map<String, Object> jwk = new LinkedHashMap<>(members);
        jwk.put("kid", kid);
        jwk.put("alg", alg);
        jwk.put("use", "sig");
        return new VerificationKey(kid, alg, key, java.util.Collections.unmodifiableMap(jwk));
    }

    /** A non-negative integer as big-endian bytes: exactly {@code length} of them, or the fewest when 0. */
    private static byte[] unsigned(BigInteger value, int length) {
        byte[] bytes = value.toByteArray();
        int start = 0;
        while (start < bytes.length - 1 && bytes[start] == 0) {
            start++;
        }
        byte[] trimmed = Arrays.copyOfRange(bytes, start, bytes.length);
        if (length == 0 || trimmed.length == length) {
            return trimmed;
        }
        byte[] padded = new byte[length];
        System.arraycopy(trimmed, 0, padded, length - trimmed.length, trimmed.length);
        return padded;
    }

    private static byte[] der(String base64OrPem, String variable) {
        try {
            String body = base64OrPem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(variable + " is not base64 (or PEM)", e);
        }
    }
}
