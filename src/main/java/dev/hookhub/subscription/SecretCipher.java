package dev.hookhub.subscription;

import dev.hookhub.HookhubConfig;
import dev.hookhub.support.Aead;
import jakarta.enterprise.context.ApplicationScoped;

import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.UUID;

/**
 * Encrypts signing secrets at rest with AES-256-GCM ({@link Aead}) under the configured key. The subscription id is
 * the associated data, so a ciphertext copied to another row does not decrypt.
 */
@ApplicationScoped
public class SecretCipher {

    private final SecretKeySpec key;

    public SecretCipher(HookhubConfig config) {
        this.key = config.encryptionKey().filter(k -> !k.isBlank()).map(SecretCipher::parseKey).orElse(null);
    }

    static SecretKeySpec parseKey(String base64) {
        return Aead.parseKey(base64, "HOOKHUB_ENCRYPTION_KEY");
    }

    public byte[] encrypt(UUID subscriptionId, String secret) {
        return Aead.seal(requireKey(), subscriptionId, secret.getBytes(StandardCharsets.UTF_8));
    }

    public String decrypt(UUID subscriptionId, byte[] ciphertext) {
        try {
            return new String(Aead.open(requireKey(), subscriptionId, ciphertext), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Secret decryption failed (wrong HOOKHUB_ENCRYPTION_KEY?)", e);
        }
    }

    private SecretKeySpec requireKey() {
        if (key == null) {
            throw new IllegalStateException("HOOKHUB_ENCRYPTION_KEY is not set");
        }
        return key;
    }
}
