package dev.hookhub.tenancy;

import dev.hookhub.HookhubConfig;
import dev.hookhub.support.Aead;
import dev.hookhub.support.Rejection;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each org's data key (envelope encryption): a random AES-256 key, made on the org's first payload and stored
 * wrapped under the master key ({@code hookhub.encryption-key}, AES-GCM, the org id as associated data). Payloads
 * are sealed under it, so a database dump without the master key holds no readable payload, and destroying the
 * org's key (offboarding) leaves whatever is sealed under it unreadable to everyone: crypto-erasure.
 *
 * <p>Unwrapped keys are remembered for {@code hookhub.data-key-cache-time}, at most {@value #MAX_REMEMBERED}
 * of them: the instance that destroys a key forgets it at once ({@link #forget}), the others within that time.
 */
@ApplicationScoped
public class DataKeys {

    static final int MAX_REMEMBERED = 10_000;

    private record Remembered(SecretKeySpec key, long until) {
    }

    private final OrganizationRepository orgs;
    private final SecretKeySpec master;
    private final long rememberNanos;
    private final Map<UUID, Remembered> remembered = new ConcurrentHashMap<>();

    public DataKeys(OrganizationRepository orgs, HookhubConfig config) {
        this.orgs = orgs;
        this.master = config.encryptionKey().filter(k -> !k.isBlank())
                .map(k -> Aead.parseKey(k, "HOOKHUB_ENCRYPTION_KEY")).orElse(null);
        this.rememberNanos = config.dataKeyCacheTime().toNanos();
    }

    /** The org's key to seal a payload with, made now if it has none yet; refused once the org is being offboarded. */
    public Uni<SecretKeySpec> forSealing(UUID orgId) {
        SecretKeySpec known = remembered(orgId);
        if (known != null) {
            return Uni.createFrom().item(known);
        }
        return orgs.dataKey(orgId).flatMap(stored -> {
            if (stored.wrapped() != null) {
                return Uni.createFrom().item(remember(orgId, unwrap(orgId, stored.wrapped())));
            }
            if (!stored.exists() || stored.offboarded()) {
                return Uni.createFrom().failure(gone(orgId));
            }
            SecretKeySpec fresh = Aead.newKey();
            return orgs.offerDataKey(orgId, Aead.seal(requireMaster(), orgId, fresh.getEncoded()))
                    // Not stored: another instance stored its key first (use that one), or offboarding began.
                    .flatMap(stored1 -> stored1 ? Uni.createFrom().item(remember(orgId, fresh)) : forOpening(orgId));
        });
    }

    /** The org's key to open a sealed payload with; a {@link Rejection.Conflict} when it has none (destroyed). */
    public Uni<SecretKeySpec> forOpening(UUID orgId) {
        SecretKeySpec known = remembered(orgId);
        if (known != null) {
            return Uni.createFrom().item(known);
        }
        return orgs.dataKey(orgId).flatMap(stored -> stored.wrapped() == null ? Uni.createFrom().failure(gone(orgId))
                : Uni.createFrom().item(remember(orgId, unwrap(orgId, stored.wrapped()))));
    }

    /** Forgets the org's key in this instance (offboarding destroyed it). */
    public void forget(UUID orgId) {
        remembered.remove(orgId);
    }

    /** The instance that started an org's offboarding forgets its key at once. */
    void forgetOffboarded(@jakarta.enterprise.event.Observes OrgOffboarded offboarded) {
        forget(offboarded.orgId());
    }

    private SecretKeySpec remembered(UUID orgId) {
        Remembered r = remembered.get(orgId);
        if (r == null) {
            return null;
        }
        if (System.nanoTime() - r.until() > 0) {
            remembered.remove(orgId, r);
            return null;
        }
        return r.key();
    }

    private SecretKeySpec remember(UUID orgId, SecretKeySpec key) {
        if (remembered.size() >= MAX_REMEMBERED) {
            // A crude bound: start over rather than track use; a key costs one read and one unwrap to recover.
            remembered.clear();
        }
        remembered.put(orgId, new Remembered(key, System.nanoTime() + rememberNanos));
        return key;
    }

    private SecretKeySpec unwrap(UUID orgId, byte[] wrapped) {
        try {
            return new SecretKeySpec(Aead.open(requireMaster(), orgId, wrapped), "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The data key of org " + orgId + " does not open (wrong HOOKHUB_ENCRYPTION_KEY?)", e);
        }
    }

    private SecretKeySpec requireMaster() {
        if (master == null) {
            throw new IllegalStateException("HOOKHUB_ENCRYPTION_KEY is not set");
        }
        return master;
    }

    private static Rejection gone(UUID orgId) {
        return Rejection.conflict("The organization " + orgId + " has no data key: it is being offboarded or is gone");
    }
}
