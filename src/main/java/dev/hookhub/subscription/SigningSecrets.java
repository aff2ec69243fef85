package dev.hookhub.subscription;

import dev.hookhub.support.Ids;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/** Creates and stores signing secrets ({@code whsec_} + base64 of 32 random bytes), always encrypted. */
@ApplicationScoped
public class SigningSecrets {

    private final SecretCipher cipher;
    private final SigningSecretRepository repository;

    public SigningSecrets(SecretCipher cipher, SigningSecretRepository repository) {
        this.cipher = cipher;
        this.repository = repository;
    }

    public static String generate() {
        return "whsec_" + Base64.getEncoder().encodeToString(Ids.randomBytes(32));
    }

    /** Persists a secret for the subscription (inside the caller's session) and returns its row. */
    public Uni<SigningSecret> store(UUID subscriptionId, String plaintext) {
        SigningSecret secret = new SigningSecret();
        secret.id = Ids.newId();
        secret.subscriptionId = subscriptionId;
        secret.keyId = "whk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(Ids.randomBytes(12));
        secret.ciphertext = cipher.encrypt(subscriptionId, plaintext);
        secret.createdAt = Instant.now();
        return repository.persist(secret);
    }
}
