package dev.hookhub.subscription;

import jakarta.enterprise.context.ApplicationScoped;

import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.spec.MGF1ParameterSpec;
import java.util.Base64;
import java.util.UUID;

/**
 * The only forms in which a secret leaves hookhub after creation: masked (m3ter), sealed to the owner's
 * RSA key (ServiceStack), and a constant-time comparison with what a caller presents.
 */
@ApplicationScoped
public class SecretForms {

    private final SecretCipher cipher;

    public SecretForms(SecretCipher cipher) {
        this.cipher = cipher;
    }

    public String reveal(UUID subscriptionId, DeletedSubscription.SecretMaterial material) {
        return cipher.decrypt(subscriptionId, material.ciphertext());
    }

    /** {@code ********} and the last four characters. */
    public static String masked(String secret) {
        return "********" + (secret.length() > 4 ? secret.substring(secret.length() - 4) : "");
    }

    /** The secret encrypted to an RSA public key with RSA-OAEP (SHA-256, MGF1-SHA-256), base64. */
    public static String sealedFor(String ownerPublicKeyPem, String secret) {
        try {
            Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPPadding");
            rsa.init(Cipher.ENCRYPT_MODE, SubscriptionRules.parsePublicKey(ownerPublicKeyPem),
                    new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT));
            return Base64.getEncoder().encodeToString(rsa.doFinal(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException("Cannot seal the secret to the owner key", e);
        }
    }

    /** Constant-time comparison of a presented secret with the stored one. */
    public boolean matches(UUID subscriptionId, DeletedSubscription.SecretMaterial material, String presented) {
        if (material == null || presented == null) {
            return false;
        }
        byte[] expected = reveal(subscriptionId, material).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, presented.getBytes(StandardCharsets.UTF_8));
    }
}
