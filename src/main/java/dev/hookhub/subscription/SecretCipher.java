package dev.hookhub.subscription;

import dev.hookhub.HookhubConfig;
import dev.hookhub.support.Ids;
import jakarta.enterprise.context.ApplicationScoped;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.UUID;

/**
 * Encrypts signing secrets at rest with AES-256-GCM under the configured key. The subscription id is
 * the associated data, so a ciphertext copied to another row does not decrypt.
 */
@ApplicationScoped
public class SecretCipher {

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    /**
     * One AES/GCM cipher per thread, re-initialised for every call (with a fresh nonce to encrypt):
     * {@code Cipher.getInstance} walks the security providers each time, a cost the m3ter delete paid
     * on every answer it masks.
     */
    private static final ThreadLocal<Cipher> CIPHERS = ThreadLocal.withInitial(SecretCipher::newCipher);

    public SecretCipher(HookhubConfig config) {
        this.key = config.encryptionKey().filter(k -> !k.isBlank()).map(SecretCipher::parseKey).orElse(null);
    }

    static SecretKeySpec parseKey(String base64) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("HOOKHUB_ENCRYPTION_KEY is not base64", e);
        }
        if (bytes.length != 32) {
            throw new IllegalStateException("HOOKHUB_ENCRYPTION_KEY must be 32 bytes (base64 of 32 random bytes), got "
                    + bytes.length);
        }
        return new SecretKeySpec(bytes, "AES");
    }

    public byte[] encrypt(UUID subscriptionId, String secret) {
        try {
            byte[] nonce = Ids.randomBytes(NONCE_BYTES);
            Cipher cipher = CIPHERS.get();
            cipher.init(Cipher.ENCRYPT_MODE, requireKey(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad(subscriptionId));
            byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Secret encryption failed", e);
        }
    }

    public String decrypt(UUID subscriptionId, byte[] ciphertext) {
        try {
            Cipher cipher = CIPHERS.get();
            cipher.init(Cipher.DECRYPT_MODE, requireKey(), new GCMParameterSpec(TAG_BITS, ciphertext, 0, NONCE_BYTES));
            cipher.updateAAD(aad(subscriptionId));
            byte[] plain = cipher.doFinal(ciphertext, NONCE_BYTES, ciphertext.length - NONCE_BYTES);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Secret decryption failed (wrong HOOKHUB_ENCRYPTION_KEY?)", e);
        }
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is not available", e);
        }
    }

    private SecretKeySpec requireKey() {
        if (key == null) {
            throw new IllegalStateException("HOOKHUB_ENCRYPTION_KEY is not set");
        }
        return key;
    }

    private static byte[] aad(UUID id) {
        return ByteBuffer.allocate(16).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits()).array();
    }
}
