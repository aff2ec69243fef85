package dev.hookhub.support;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.UUID;

/**
 * AES-256-GCM, the one cipher of hookhub at rest: signing secrets and data keys under the master key, payloads
 * under their org's data key. A sealed value is {@code nonce (12) || ciphertext || tag (16)}; the associated data
 * is the id of the row it belongs to, so a ciphertext copied to another row does not open.
 */
public final class Aead {

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    /** Bytes a sealed value adds to its plaintext. */
    public static final int OVERHEAD = NONCE_BYTES + TAG_BITS / 8;

    /**
     * One AES/GCM cipher per thread, re-initialised for every call (with a fresh nonce to seal):
     * {@code Cipher.getInstance} walks the security providers each time, a cost the m3ter delete paid on every
     * answer it masks.
     */
    private static final ThreadLocal<Cipher> CIPHERS = ThreadLocal.withInitial(Aead::newCipher);

    private Aead() {
    }

    /** A 256-bit key from its base64; {@code name} says which setting it came from when it is wrong. */
    public static SecretKeySpec parseKey(String base64, String name) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(name + " is not base64", e);
        }
        if (bytes.length != 32) {
            throw new IllegalStateException(name + " must be 32 bytes (base64 of 32 random bytes), got " + bytes.length);
        }
        return new SecretKeySpec(bytes, "AES");
    }

    /** A fresh random 256-bit key. */
    public static SecretKeySpec newKey() {
        return new SecretKeySpec(Ids.randomBytes(32), "AES");
    }

    public static byte[] seal(SecretKeySpec key, UUID owner, byte[] plain) {
        try {
            byte[] nonce = Ids.randomBytes(NONCE_BYTES);
            Cipher cipher = CIPHERS.get();
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad(owner));
            byte[] out = new byte[NONCE_BYTES + cipher.getOutputSize(plain.length)];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            cipher.doFinal(plain, 0, plain.length, out, NONCE_BYTES);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    /** The plaintext; fails with {@link GeneralSecurityException} when the key, owner or bytes are not the sealed ones. */
    public static byte[] open(SecretKeySpec key, UUID owner, byte[] sealed) throws GeneralSecurityException {
        if (sealed.length < OVERHEAD) {
            throw new javax.crypto.AEADBadTagException("too short to be sealed");
        }
        Cipher cipher = CIPHERS.get();
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
        cipher.updateAAD(aad(owner));
        return cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is not available", e);
        }
    }

    private static byte[] aad(UUID id) {
        return ByteBuffer.allocate(16).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits()).array();
    }
}
