package dev.hookhub.tenancy;

import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The issuer's key handling, checked against an independent JOSE library (jose4j). */
class TokenKeysTest {

    @Test
    void keyIdsAreRfc7638ThumbprintsAndTheJwkSetCarriesThePublicKeys() throws Exception {
        KeyPair ec = pair("EC");
        KeyPair rsa = pair("RSA");
        TokenKeys keys = new TokenKeys(Optional.of(encode(ec.getPrivate().getEncoded())),
                Optional.of(encode(ec.getPublic().getEncoded())), Optional.of(List.of(encode(rsa.getPublic().getEncoded()))));

        String ecThumbprint = PublicJsonWebKey.Factory.newPublicJwk(ec.getPublic()).calculateBase64urlEncodedThumbprint("SHA-256");
        String rsaThumbprint = PublicJsonWebKey.Factory.newPublicJwk(rsa.getPublic()).calculateBase64urlEncodedThumbprint("SHA-256");
        assertEquals(ecThumbprint.substring(0, 8), keys.current().orElseThrow().kid());
        assertEquals(List.of(ecThumbprint.substring(0, 8), rsaThumbprint.substring(0, 8)),
                keys.all().stream().map(TokenKeys.VerificationKey::kid).toList());
        assertEquals("ES256", keys.signingAlgorithm());

        JsonWebKeySet set = new JsonWebKeySet(io.vertx.core.json.Json.encode(keys.jwks()));
        List<JsonWebKey> published = set.getJsonWebKeys();
        assertEquals(2, published.size());
        assertEquals(ec.getPublic(), published.get(0).getKey());
        assertEquals("ES256", published.get(0).getAlgorithm());
        assertEquals("sig", published.get(0).getUse());
        assertEquals(rsa.getPublic(), published.get(1).getKey());
        assertEquals("RS256", published.get(1).getAlgorithm());
        String json = io.vertx.core.json.Json.encode(keys.jwks());
        assertTrue(!json.contains("\"d\"") && !json.contains("\"p\""), "no private parts: " + json);
    }

    @Test
    void aConfiguredKeyIdIsKeptAndPemIsRead() throws Exception {
        KeyPair rsa = pair("RSA");
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(rsa.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        TokenKeys keys = new TokenKeys(Optional.empty(), Optional.empty(), Optional.of(List.of("hookhub-1:" + encode(
                rsa.getPublic().getEncoded()), pem)));
        // The same key twice (once under its old id, once as PEM under its thumbprint) is published under both ids.
        assertEquals("hookhub-1", keys.all().get(0).kid());
        assertEquals(2, keys.all().size());
    }

    @Test
    void malformedOrMismatchedKeysNameTheirVariable() throws Exception {
        KeyPair ec = pair("EC");
        KeyPair other = pair("EC");
        assertMessage("HOOKHUB_TOKEN_SIGNING_KEY", () -> new TokenKeys(Optional.of("bm90IGEga2V5"),
                Optional.of(encode(ec.getPublic().getEncoded())), Optional.empty()));
        assertMessage("HOOKHUB_TOKEN_PUBLIC_KEY", () -> new TokenKeys(Optional.of(encode(ec.getPrivate().getEncoded())),
                Optional.of(encode(other.getPublic().getEncoded())), Optional.empty()));
        assertMessage("HOOKHUB_TOKEN_PUBLIC_KEY", () -> new TokenKeys(Optional.of(encode(ec.getPrivate().getEncoded())),
                Optional.empty(), Optional.empty()));
        assertMessage("HOOKHUB_TOKEN_VERIFICATION_KEYS", () -> new TokenKeys(Optional.empty(), Optional.empty(),
                Optional.of(List.of("%%%"))));
        assertMessage("HOOKHUB_TOKEN_VERIFICATION_KEYS", () -> new TokenKeys(Optional.empty(), Optional.empty(),
                Optional.of(List.of("a\"b:" + encode(ec.getPublic().getEncoded())))));
    }

    @Test
    void operatorSubjectsRoundTripAndNothingElseIsOne() {
        assertEquals(new TokenIssuer.OperatorSubject(12, EnumSet.of(Role.Admin, Role.Dispatcher)),
                TokenIssuer.operatorSubject("op:12:AD").orElseThrow());
        for (String notOne : List.of("hhc_abc", "op:", "op:12", "op:12:", "op:x:A", "op:12:Z", "op:99999999999:A")) {
            assertTrue(TokenIssuer.operatorSubject(notOne).isEmpty(), notOne);
        }
    }

    private static void assertMessage(String variable, Runnable start) {
        IllegalStateException e = assertThrows(IllegalStateException.class, start::run);
        assertTrue(e.getMessage().contains(variable), e.getMessage());
    }

    private static KeyPair pair(String type) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(type);
        if (type.equals("EC")) {
            generator.initialize(new ECGenParameterSpec("secp256r1"));
        } else {
            generator.initialize(2048);
        }
        return generator.generateKeyPair();
    }

    private static String encode(byte[] der) {
        return Base64.getEncoder().encodeToString(der);
    }
}
