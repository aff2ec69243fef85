package dev.hookhub.api.compat.m3ter;

import dev.hookhub.subscription.DeletedSubscription;
import dev.hookhub.subscription.SecretForms;
import jakarta.enterprise.context.ApplicationScoped;

/** A deleted subscription as the m3ter webhook destination it was. */
@ApplicationScoped
public class M3terMapper {

    static final String CREDENTIALS_TYPE = "M3TER_SIGNED_REQUEST";
    static final String DESTINATION = "WEBHOOK";

    private final SecretForms secrets;

    public M3terMapper(SecretForms secrets) {
        this.secrets = secrets;
    }

    public M3terDtos.WebhookDestination destination(DeletedSubscription s) {
        return new M3terDtos.WebhookDestination(s.id().toString(), s.version(), s.createdAt(), s.modifiedAt(),
                s.createdBy(), s.modifiedBy(), s.name(), s.description(), s.code(), s.active(), s.url(),
                credentials(s));
    }

    /**
     * The signing secret that was current, as m3ter credentials. hookhub keeps no separate credential
     * entity, so: {@code id} and {@code apiKey} are the key's public id ({@code whk_…}, unique across the
     * service); {@code version} is 1 because a secret never changes in place (a rotation makes a new
     * one); both dates are when the secret was made; authorship is the destination's, since hookhub
     * records it per subscription, not per secret; {@code name} is the destination's name;
     * {@code secret} is masked, never whole. Null only for a subscription without any secret.
     */
    private M3terDtos.Credentials credentials(DeletedSubscription s) {
        DeletedSubscription.SecretMaterial current = s.currentSecret();
        if (current == null) {
            return null;
        }
        return new M3terDtos.Credentials(current.keyId(), CREDENTIALS_TYPE, DESTINATION, 1, current.createdAt(),
                current.createdAt(), s.createdBy(), s.modifiedBy(), s.id().toString(), s.name(), current.keyId(),
                SecretForms.masked(secrets.reveal(s.id(), current)));
    }
}
