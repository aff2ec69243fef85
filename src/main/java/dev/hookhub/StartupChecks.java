package dev.hookhub;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;

/** Refuses to start without the secrets every profile but dev and test must be given. */
@ApplicationScoped
public class StartupChecks {

    void check(@Observes @Priority(1) StartupEvent event, HookhubConfig config) {
        List<String> missing = new ArrayList<>();
        if (config.adminToken().filter(t -> !t.isBlank()).isEmpty()) {
            missing.add("HOOKHUB_ADMIN_TOKEN (hookhub.admin-token)");
        }
        if (config.encryptionKey().filter(t -> !t.isBlank()).isEmpty()) {
            missing.add("HOOKHUB_ENCRYPTION_KEY (hookhub.encryption-key, base64 of 32 random bytes)");
        }
        if (config.token().issuingEnabled() && config.token().signingKey().filter(t -> !t.isBlank()).isEmpty()) {
            missing.add("HOOKHUB_TOKEN_SIGNING_KEY (hookhub.token.signing-key), or HOOKHUB_TOKEN_ISSUING_ENABLED=false"
                    + " with an external OIDC provider");
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("hookhub cannot start: missing configuration " + String.join(", ", missing));
        }
    }
}
