package dev.hookhub.subscription;

import dev.hookhub.HookhubConfig;
import dev.hookhub.negotiation.ProblemException;
import dev.hookhub.store.SqlErrors;
import dev.hookhub.support.Ids;
import dev.hookhub.tenancy.Caller;
import io.quarkus.hibernate.reactive.panache.Panache;
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
 * Creating, reading, changing and rotating subscriptions, always within the caller's org. Deleting is
 * {@link SubscriptionDeletion}'s alone.
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
    private final EventTypes eventTypes;

    public SubscriptionService(SubscriptionRules rules, SigningSecrets secrets, HookhubConfig config,
            EventTypes eventTypes) {
        this.rules = rules;
        this.secrets = secrets;
        this.config = config;
        this.eventTypes = eventTypes;
    }

    @WithTransaction
    public Uni<WithSecret> create(Caller caller, SubscriptionDraft draft) {
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
        s.version = 1;
        s.createdAt = now();
        s.createdBy = caller.actor();
        s.modifiedAt = s.createdAt;
        s.modifiedBy = caller.actor();
        String secret = draft.secret() == null ? SigningSecrets.generate() : rules.secret(draft.secret());
        return eventTypes.register(caller.orgId(), s.events)
                .flatMap(v -> s.<Subscription>persistAndFlush())
                .flatMap(saved -> secrets.store(saved.id, secret))
                .map(key -> new WithSecret(s, secret, key.keyId))
                .onFailure(SqlErrors::isUniqueViolation)
                .transform(e -> ProblemException.conflict("A live subscription with code '" + s.code + "' already exists"));
    }

    /** The live subscription with this id in the caller's org, or null. */
    @WithSession
    public Uni<Subscription> find(Caller caller, UUID id) {
        return Subscription.find("id = ?1 and orgId = ?2 and deletedAt is null", id, caller.orgId()).firstResult();
    }

    /**
     * A page of the caller's live subscriptions in creation order, after the given id (exclusive); with a
     * search text, only those whose name, url or code contains it (case-insensitive).
     */
    @WithSession
    public Uni<List<Subscription>> page(Caller caller, String search, UUID after, int limit) {
        String pattern = search == null ? null
                : "%" + search.toLowerCase().replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
        String where = "orgId = :org and deletedAt is null"
                + (after == null ? "" : " and id > :after")
                + (pattern == null ? "" : " and (lower(name) like :q escape '!' or lower(url) like :q escape '!'"
                        + " or lower(code) like :q escape '!')");
        io.quarkus.panache.common.Parameters params = io.quarkus.panache.common.Parameters.with("org", caller.orgId());
        if (after != null) {
            params = params.and("after", after);
        }
        if (pattern != null) {
            params = params.and("q", pattern);
        }
        return Subscription.find(where + " order by id", params).page(0, limit).list();
    }

    /** Applies the non-null fields of the draft; version + 1. Null when not found. */
    @WithTransaction
    public Uni<Subscription> change(Caller caller, UUID id, SubscriptionDraft changes) {
        return lockLive(caller, id).flatMap(locked -> {
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
                if (changes.secret() != null) {
                    throw ProblemException.invalidField("secret", "cannot be changed here; use the rotate action");
                }
                s.version += 1;
                s.modifiedAt = now();
                s.modifiedBy = caller.actor();
                return eventTypes.register(caller.orgId(), s.events)
                        .flatMap(v -> s.<Subscription>persistAndFlush())
                        .onFailure(SqlErrors::isUniqueViolation).transform(e ->
                                ProblemException.conflict("A live subscription with code '" + s.code + "' already exists"));
            });
        });
    }

    /** Issues a new secret; the current ones keep signing for the overlap. Null when not found. */
    @WithTransaction
    public Uni<Rotation> rotate(Caller caller, UUID id, String givenSecret) {
        String secret = givenSecret == null ? SigningSecrets.generate() : rules.secret(givenSecret);
        Instant validUntil = now().plus(config.subscriptions().secretRotationOverlap());
        return lockLive(caller, id).flatMap(locked -> {
            if (!locked) {
                return Uni.createFrom().nullItem();
            }
            return SigningSecret.delete("subscriptionId = ?1 and expiresAt < ?2", id, now())
                    .flatMap(n -> SigningSecret.update("expiresAt = ?1 where subscriptionId = ?2 and expiresAt is null",
                            validUntil, id))
                    .flatMap(n -> secrets.store(id, secret))
                    .flatMap(key -> find(caller, id).map(s -> new Rotation(s, secret, key.keyId, validUntil)));
        });
    }

    /** Locks the live row for this transaction, so a concurrent delete waits for it (and vice versa). */
    private Uni<Boolean> lockLive(Caller caller, UUID id) {
        return Panache.getSession().flatMap(session -> session
                .createNativeQuery("select id from subscription where id = ?1 and org_id = ?2 and deleted_at is null for update")
                .setParameter(1, id).setParameter(2, caller.orgId())
                .getResultList()
                .map(rows -> !rows.isEmpty()));
    }

    /** Microseconds: what PostgreSQL keeps, so a value read back equals the one written. */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
