package dev.hookhub.subscription;

import dev.hookhub.HookhubConfig;
import dev.hookhub.store.SqlErrors;
import dev.hookhub.support.Ids;
import dev.hookhub.support.Rejection;
import dev.hookhub.tenancy.AuditRecord;
import dev.hookhub.tenancy.AuditRepository;
import dev.hookhub.tenancy.Caller;
import dev.hookhub.tenancy.Requester;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.UUID;

/**
 * Creating, reading, changing and rotating subscriptions, always within the caller's org; each change writes
 * its audit record ({@code subscription.create}, {@code subscription.update}, {@code subscription.rotate_secret})
 * in its transaction. Deleting is {@link SubscriptionDeletion}'s alone.
 */
@ApplicationScoped
public class SubscriptionService {

    /** A subscription with the secret shown this once. */
    public record WithSecret(Subscription subscription, String secret, String keyId) {
    }

    /** The result of a rotation: the new secret and until when the previous ones still sign. */
    public record Rotation(Subscription subscription, String secret, String keyId, Instant previousValidUntil) {
    }

    private final SubscriptionRules rules;
    private final SigningSecrets secrets;
    private final HookhubConfig config;
    private final EventTypeRepository eventTypes;
    private final SubscriptionRepository subscriptions;
    private final SigningSecretRepository secretRows;
    private final AuditRepository audit;

    public SubscriptionService(SubscriptionRules rules, SigningSecrets secrets, HookhubConfig config,
            EventTypeRepository eventTypes, SubscriptionRepository subscriptions, SigningSecretRepository secretRows,
            AuditRepository audit) {
        this.rules = rules;
        this.secrets = secrets;
        this.config = config;
        this.eventTypes = eventTypes;
        this.subscriptions = subscriptions;
        this.secretRows = secretRows;
        this.audit = audit;
    }

    @WithTransaction
    public Uni<WithSecret> create(Caller caller, SubscriptionDraft draft, Requester by) {
        Subscription s = new Subscription();
        s.id = Ids.newId();
        s.orgId = caller.orgId();
        s.name = rules.name(draft.name());
        s.description = rules.description(draft.description());
        s.code = rules.code(draft.code());
        s.url = rules.url(draft.url());
        s.events = rules.events(draft.events());
        s.contentType = rules.contentType(draft.contentType());
        s.headers = new LinkedHashMap<>(rules.headers(draft.headers()));
        s.active = draft.active() == null || draft.active();
        s.ownerPublicKey = rules.ownerPublicKey(draft.ownerPublicKey());
        s.rateLimit = draft.rateLimit() == null ? null : rules.rateLimit(draft.rateLimit());
        s.maxInFlight = draft.maxInFlight() == null ? null : rules.maxInFlight(draft.maxInFlight());
        s.ordering = rules.ordering(draft.ordering());
        s.version = 1;
        s.createdAt = now();
        s.createdBy = caller.actor();
        s.modifiedAt = s.createdAt;
        s.modifiedBy = caller.actor();
        String secret = draft.secret() == null ? SigningSecrets.generate() : rules.secret(draft.secret());
        return eventTypes.register(caller.orgId(), s.events)
                .flatMap(v -> subscriptions.persistAndFlush(s))
                .flatMap(saved -> secrets.store(saved.id, secret))
                .call(key -> audit.record(AuditRecord.of(s.orgId, s.id, "subscription.create", null, by)))
                .map(key -> new WithSecret(s, secret, key.keyId))
                .onFailure(SqlErrors::isUniqueViolation)
                .transform(e -> duplicateCode(s.code));
    }

    /** The live subscription with this id in the caller's org, or null. */
    @WithSession
    public Uni<Subscription> find(Caller caller, UUID id) {
        return subscriptions.findLive(caller.orgId(), id);
    }

    /**
     * A page of the caller's live subscriptions in creation order, after the given id (exclusive); with a
     * search text, only those whose name, url or code contains it (case-insensitive).
     */
    @WithSession
    public Uni<List<Subscription>> page(Caller caller, String search, UUID after, int limit) {
        return subscriptions.page(caller.orgId(), search, after, limit);
    }

    /** Applies the non-null fields of the draft; version + 1. Null when not found. */
    @WithTransaction
    public Uni<Subscription> change(Caller caller, UUID id, SubscriptionDraft changes, Requester by) {
        return subscriptions.lockLive(caller.orgId(), id).flatMap(locked -> {
            if (!locked) {
                return Uni.createFrom().nullItem();
            }
            return find(caller, id).flatMap(s -> {
                if (changes.name() != null) {
                    s.name = rules.name(changes.name());
                }
                if (changes.description() != null) {
                    s.description = rules.description(changes.description());
                }
                if (changes.code() != null) {
                    s.code = rules.code(changes.code());
                }
                if (changes.url() != null) {
                    s.url = rules.url(changes.url());
                }
                if (changes.events() != null) {
                    s.events = rules.events(changes.events());
                }
                if (changes.contentType() != null) {
                    s.contentType = rules.contentType(changes.contentType());
                }
                if (changes.headers() != null) {
                    s.headers = new LinkedHashMap<>(rules.headers(changes.headers()));
                }
                if (changes.active() != null) {
                    if (changes.active() && !s.active) {
                        // Re-activated: a new run of failures starts counting from the next failure, or the
                        // old run (past the five days that deactivated it) would deactivate it again at once.
                        s.failingSince = null;
                    }
                    s.active = changes.active();
                }
                if (changes.ownerPublicKey() != null) {
                    s.ownerPublicKey = rules.ownerPublicKey(changes.ownerPublicKey());
                }
                if (changes.rateLimit() != null) {
                    s.rateLimit = rules.rateLimit(changes.rateLimit());
                }
                if (changes.maxInFlight() != null) {
                    s.maxInFlight = rules.maxInFlight(changes.maxInFlight());
                }
                if (changes.ordering() != null) {
                    s.ordering = rules.ordering(changes.ordering());
                }
                if (changes.secret() != null) {
                    throw Rejection.invalidField("secret", "cannot be changed here; use the rotate action");
                }
                s.version += 1;
                s.modifiedAt = now();
                s.modifiedBy = caller.actor();
                return eventTypes.register(caller.orgId(), s.events)
                        .flatMap(v -> subscriptions.persistAndFlush(s))
                        .call(saved -> audit.record(AuditRecord.of(s.orgId, s.id, "subscription.update", null, by)))
                        .onFailure(SqlErrors::isUniqueViolation).transform(e -> duplicateCode(s.code));
            });
        });
    }

    /** Issues a new secret; the current ones keep signing for the overlap. Null when not found. */
    @WithTransaction
    public Uni<Rotation> rotate(Caller caller, UUID id, String givenSecret, Requester by) {
        String secret = givenSecret == null ? SigningSecrets.generate() : rules.secret(givenSecret);
        Instant validUntil = now().plus(config.subscriptions().secretRotationOverlap());
        return subscriptions.lockLive(caller.orgId(), id).flatMap(locked -> {
            if (!locked) {
                return Uni.createFrom().nullItem();
            }
            return secretRows.retire(id, now(), validUntil)
                    .flatMap(n -> secrets.store(id, secret))
                    .call(key -> audit.record(AuditRecord.of(caller.orgId(), id, "subscription.rotate_secret",
                            key.keyId, by)))
                    .flatMap(key -> find(caller, id).map(s -> new Rotation(s, secret, key.keyId, validUntil)));
        });
    }

    private static Rejection duplicateCode(String code) {
        return Rejection.conflict("A live subscription with code '" + code + "' already exists");
    }

    /** Microseconds: what PostgreSQL keeps, so a value read back equals the one written. */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
