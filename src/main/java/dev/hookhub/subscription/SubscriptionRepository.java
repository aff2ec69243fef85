package dev.hookhub.subscription;

import dev.hookhub.store.PipelinedTransaction;
import dev.hookhub.support.SqlRows;
import dev.hookhub.tenancy.Role;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Every query of the subscription table: Panache for reads, pages and edits; native SQL for three things
 * Panache cannot do well, each said where it is — the row lock of an edit, the delete core's one statement,
 * and the retention purge's batch ({@code SKIP LOCKED}). "Live" (not tombstoned) is spelled here and in those statements only.
 */
@ApplicationScoped
public class SubscriptionRepository implements PanacheRepositoryBase<Subscription, UUID> {

    /** A subscription is live until it is deleted: its tombstone stays until the retention purge. */
    static final String LIVE = "deletedAt is null";

    /** {@link #LIVE} for a query of another table that joins subscriptions under {@code alias}. */
    public static String live(String alias) {
        return alias + "." + LIVE;
    }

    private static final String SQL = """
            with target as (
                select s.* from subscription s
                where s.deleted_at is null and %s
                for update
            ), tomb as (
                update subscription s set deleted_at = now(), deleted_by = $2, active = false
                from target where s.id = target.id
                returning s.id, s.deleted_at
            ), dropped as (
                select target.id, drop_pending_deliveries(target.id) as n from target
            ), shredded as (
                delete from signing_secret k using target
                where k.subscription_id = target.id
                returning k.subscription_id, k.key_id, k.ciphertext, k.created_at, k.expires_at
            ), audited as (
                insert into audit (org_id, subscription_id, action, actor, surface, remote_address)
                select target.org_id, target.id, 'subscription.delete', $2, $3, $4 from target
            ), announced as (
                -- hookhub.subscription.deleted into the outbox (delivery/OperationalEvents), only when another live,
                -- active subscription of the org listens: one probe of the fan-out's index for orgs that do not.
                insert into operational_event (org_id, type, data)
                select t.org_id, 'hookhub.subscription.deleted', json_build_object(
                           'subscription', json_build_object('id', t.id, 'number', t.number, 'name', t.name,
                                   'url', t.url, 'events', t.events),
                           'surface', $3::text, 'actor', $2::text, 'remoteAddress', $4::text, 'deletedAt', iso_utc(now()),
                           'droppedDeliveries', (select sum(n) from dropped d where d.id = t.id)::int8,
                           'destroyedSecrets', (select count(*) from shredded k where k.subscription_id = t.id))
                  from target t
                 where exists (select 1 from subscription s
                                where subscription_event_keys(s.org_id, s.events)
                                          @> array[t.org_id::text || ' hookhub.subscription.deleted']
                                  and s.deleted_at is null and s.active and s.id <> t.id)
            )
            select t.id, t.number, t.org_id, t.name, t.description, t.code, t.url, t.events, t.content_type,
                   t.headers, t.active, t.version, t.created_at, t.created_by, t.modified_at, t.modified_by,
                   tomb.deleted_at, t.last_http_success, t.last_http_fail, t.owner_public_key,
                   (select et.number from event_type et where et.org_id = t.org_id and et.name = t.events[1])
                       as first_event_number,
                   (select sum(n) from dropped d where d.id = t.id)::int8 as dropped_deliveries,
                   (select json_agg(json_build_object('keyId', k.key_id, 'ciphertext', encode(k.ciphertext, 'base64'),
                           'createdAt', (extract(epoch from k.created_at) * 1000000)::int8,
                           'expiresAt', (extract(epoch from k.expires_at) * 1000000)::int8) order by k.created_at desc)
                      from shredded k where k.subscription_id = t.id) as secrets,
                   case when $5 > 0 then (
                       select json_agg(json_build_object('id', h.id, 'eventId', h.event_id,
                               'attemptedAt', (extract(epoch from h.attempted_at) * 1000000)::int8, 'statusCode', h.status_code,
                               'statusDescription', h.status_description, 'durationMs', h.duration_ms)
                               order by h.attempted_at desc, h.id desc)
                         from (select * from delivery_attempt a where a.subscription_id = t.id
                               order by a.attempted_at desc, a.id desc limit $5) h)
                   end as history
            from target t join tomb on tomb.id = t.id
            """;

    private static final String BY_ID = SQL.formatted("s.id = $1 and s.org_id = $6");
    private static final String BY_NUMBER = SQL.formatted("s.number = $1 and s.org_id = $6");
    private static final String BY_SECRET = SQL.formatted("s.id = $1 and $6::uuid is null");
    /** The org of the key whose SHA-256 is $6, while it is live and holds one of the roles $7. */
    private static final String BY_WRITER_KEY = SQL.formatted("s.id = $1 and s.org_id = (select k.org_id from api_key k"
            + " where k.key_hash = $6 and k.revoked_at is null and k.roles && $7)");
    /** The offboarding batch: the org's first $1 live subscriptions in id order (subscription_org_live). */
    private static final String OF_ORG = SQL.formatted("s.org_id = $6 order by s.id limit $1");
    private static final String[] WRITERS = Role.writerNames();

    private final Pool pool;

    public SubscriptionRepository(Pool pool) {
        this.pool = pool;
    }

    /** The org's live subscription with this id, or null. */
    @WithSession
    public Uni<Subscription> findLive(UUID orgId, UUID id) {
        return find("id = ?1 and orgId = ?2 and " + LIVE, id, orgId).firstResult();
    }

    /** Whether the org has a live subscription with this id. */
    @WithSession
    public Uni<Boolean> isLive(UUID orgId, UUID id) {
        return count("id = ?1 and orgId = ?2 and " + LIVE, id, orgId).map(n -> n > 0);
    }

    /**
     * A page of the org's live subscriptions in id (creation) order after {@code after} (exclusive; null
     * from the start); with a search text, only those whose name, url or code contains it, ignoring case.
     */
    @WithSession
    public Uni<List<Subscription>> page(UUID orgId, String search, UUID after, int limit) {
        String pattern = search == null ? null
                : "%" + search.toLowerCase().replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
        String where = "orgId = :org and " + LIVE
                + (after == null ? "" : " and id > :after")
                + (pattern == null ? "" : " and (lower(name) like :q escape '!' or lower(url) like :q escape '!'"
                        + " or lower(code) like :q escape '!')");
        Parameters params = Parameters.with("org", orgId);
        if (after != null) {
            params = params.and("after", after);
        }
        if (pattern != null) {
            params = params.and("q", pattern);
        }
        return find(where + " order by id", params).page(0, limit).list();
    }

    /**
     * Locks the org's live subscription for the caller's transaction, so a concurrent delete waits for it
     * (and it for the delete); false when there is none. Native: Hibernate Reactive's lock modes are
     * unreliable (quarkus#40285, hibernate-reactive#1905).
     */
    public Uni<Boolean> lockLive(UUID orgId, UUID id) {
        return Panache.getSession().flatMap(session -> session
                .createNativeQuery("select id from subscription where id = ?1 and org_id = ?2 and deleted_at is null for update")
                .setParameter(1, id).setParameter(2, orgId)
                .getResultList()
                .map(rows -> !rows.isEmpty()));
    }

    /** Whether the org has any subscription row, live or tombstone (offboarding's last check). */
    @WithSession
    public Uni<Boolean> anyOfOrg(UUID orgId) {
        return find("orgId", orgId).firstResult().map(s -> s != null);
    }

    /** The ids of the org's first {@code limit} tombstones in id order (index subscription_org). */
    @WithSession
    public Uni<List<UUID>> tombstonesOfOrg(UUID orgId, int limit) {
        return Panache.getSession().flatMap(session -> session.createSelectionQuery(
                        "select id from Subscription where orgId = ?1 and deletedAt is not null order by id", UUID.class)
                .setParameter(1, orgId).setMaxResults(limit).getResultList());
    }

    /**
     * Deletes these tombstones (never a live subscription), in the caller's transaction; the count removed. Their
     * secrets are gone already and their deliveries go with them (foreign-key cascade).
     */
    public Uni<Long> deleteTombstones(List<UUID> ids) {
        return ids.isEmpty() ? Uni.createFrom().item(0L) : delete("id in ?1 and deletedAt is not null", ids);
    }

    /**
     * A purge batch: the tombstones deleted longest ago, along subscription_deleted_at. Deleted by row address
     * (ctid): the rows stay locked until the statement ends, so their addresses hold, and no index is descended
     * again per row.
     */
    private static final String PURGE = """
            delete from subscription where ctid = any(array(
                select s.ctid from subscription s
                 where s.deleted_at < $1
                 order by s.deleted_at limit $2
                   for update of s skip locked))
            """;

    /**
     * Deletes at most {@code batch} tombstones deleted before the cutoff, with their remaining (finished)
     * deliveries (foreign-key cascade); the count. Native, through the reactive client, one statement in its own
     * transaction: {@code FOR UPDATE SKIP LOCKED} (no HQL form) lets purges on several instances take disjoint
     * rows instead of waiting for (or deadlocking with) each other, and never waits for a row a request holds.
     */
    public Uni<Integer> purgeTombstones(Instant cutoff, int batch) {
        return pool.preparedQuery(PURGE).execute(Tuple.of(cutoff.atOffset(ZoneOffset.UTC), batch)).map(rows -> rows.rowCount());
    }

    /**
     * The delete core's statement for the request, run as {@link SubscriptionDeletion} describes: the
     * subscription as it was, or null when none is live in scope. Native, and through the reactive client
     * rather than a session: one statement of data-modifying CTEs with a row lock, one round trip (the
     * delete figures of bench/README.md, "Deletes").
     */
    Uni<DeletedSubscription> deleteLive(DeletionRequest request) {
        Statement statement = statement(request);
        if (request.verifier() == null && request.timeout() == null) {
            // A single statement is atomic on its own: one round trip.
            return run(pool, statement.sql(), statement.args());
        }
        return inTransaction(statement.sql(), statement.args(), request);
    }

    /**
     * The delete core's statement for a batch scope ({@link DeletionScope.OfOrg}), in the caller's transaction
     * (its connection): how many subscriptions it deleted and how many pending deliveries it dropped. The same
     * statement as {@link #deleteLive}; only the reading of its rows differs.
     */
    Uni<SubscriptionDeletion.Batch> deleteLiveBatch(DeletionRequest request, SqlClient transaction) {
        Statement statement = statement(request);
        return transaction.preparedQuery(statement.sql()).execute(statement.args()).map(rows -> {
            if (rows.size() == 0) {
                return new SubscriptionDeletion.Batch(0, 0);
            }
            long dropped = 0;
            for (io.vertx.mutiny.sqlclient.Row row : rows) {
                dropped += row.getLong("dropped_deliveries");
            }
            return new SubscriptionDeletion.Batch(rows.size(), dropped);
        });
    }

    private record Statement(String sql, Tuple args) {
    }

    private static Statement statement(DeletionRequest request) {
        String sql;
        Tuple args;
        DeletionScope scope = request.scope();
        if (scope instanceof DeletionScope.ById byId) {
            sql = BY_ID;
            args = Tuple.of(byId.id(), request.actor(), request.surface(), request.remoteAddress(),
                    request.historyLimit(), byId.orgId());
        } else if (scope instanceof DeletionScope.ByNumber byNumber) {
            sql = BY_NUMBER;
            args = Tuple.of(byNumber.number(), request.actor(), request.surface(), request.remoteAddress(),
                    request.historyLimit(), byNumber.orgId());
        } else if (scope instanceof DeletionScope.ByWriterKey byKey) {
            sql = BY_WRITER_KEY;
            args = Tuple.of(byKey.id(), request.actor(), request.surface(), request.remoteAddress(),
                    request.historyLimit(), Buffer.buffer(byKey.keyDigest())).addArrayOfString(WRITERS);
        } else if (scope instanceof DeletionScope.OfOrg ofOrg) {
            sql = OF_ORG;
            args = Tuple.of((long) ofOrg.limit(), request.actor(), request.surface(), request.remoteAddress(),
                    request.historyLimit(), ofOrg.orgId());
        } else {
            sql = BY_SECRET;
            args = Tuple.of(((DeletionScope.BySecret) scope).id(), request.actor(), request.surface(),
                    request.remoteAddress(), request.historyLimit(), null);
        }
        return new Statement(sql, args);
    }

    /**
     * The statement in an explicit transaction, with as few round trips as the request allows: the
     * client pipelines what is sent without waiting, in order on one connection, so {@code begin} (and the
     * time limit) go out with the statement, and without a verifier {@code commit} goes too — one round
     * trip. PostgreSQL answers a {@code commit} after a failed statement by rolling back. With a verifier,
     * the locked row is checked here and only then committed or rolled back: two round trips.
     */
    private Uni<DeletedSubscription> inTransaction(String sql, Tuple args, DeletionRequest request) {
        String begin = request.timeout() == null ? "begin"
                : "begin; set local statement_timeout = " + request.timeout().toMillis();
        return pool.withConnection(connection -> {
            if (request.verifier() == null) {
                return PipelinedTransaction.run(connection.getDelegate(), begin, sql, args.getDelegate())
                        .map(SubscriptionRepository::read);
            }
            return PipelinedTransaction.open(connection.getDelegate(), begin, sql, args.getDelegate())
                    .map(SubscriptionRepository::read)
                    .invoke(found -> {
                        if (found != null) {
                            request.verifier().accept(found);
                        }
                    })
                    .call(found -> connection.query("commit").execute())
                    .onFailure().call(() -> connection.query("rollback").execute().onFailure().recoverWithNull());
        });
    }

    private static Uni<DeletedSubscription> run(SqlClient client, String sql, Tuple args) {
        return client.preparedQuery(sql).execute(args).map(rows -> read(rows.getDelegate()));
    }

    private static DeletedSubscription read(io.vertx.sqlclient.RowSet<io.vertx.sqlclient.Row> rows) {
        if (rows.size() == 0) {
            return null;
        }
        io.vertx.sqlclient.Row r = rows.iterator().next();
        return new DeletedSubscription(r.getUUID("id"), r.getLong("number"), r.getUUID("org_id"), r.getString("name"),
                r.getString("description"), r.getString("code"), r.getString("url"),
                List.of(r.getArrayOfStrings("events")), r.getString("content_type"), SqlRows.headers(r.getJsonObject("headers")),
                r.getBoolean("active"), r.getInteger("version"), SqlRows.instant(r.getOffsetDateTime("created_at")),
                r.getString("created_by"), SqlRows.instant(r.getOffsetDateTime("modified_at")), r.getString("modified_by"),
                SqlRows.instant(r.getOffsetDateTime("deleted_at")), null, SqlRows.instant(r.getOffsetDateTime("last_http_success")),
                SqlRows.instant(r.getOffsetDateTime("last_http_fail")), r.getString("owner_public_key"),
                r.getInteger("first_event_number"), r.getLong("dropped_deliveries").intValue(),
                secrets(jsonArray(r.getValue("secrets"))), history(jsonArray(r.getValue("history"))));
    }

    private static List<DeletedSubscription.SecretMaterial> secrets(JsonArray json) {
        List<DeletedSubscription.SecretMaterial> secrets = new ArrayList<>();
        for (int i = 0; i < json.size(); i++) {
            JsonObject s = json.getJsonObject(i);
            secrets.add(new DeletedSubscription.SecretMaterial(s.getString("keyId"),
                    Base64.getMimeDecoder().decode(s.getString("ciphertext")), SqlRows.micros(s.getLong("createdAt")),
                    SqlRows.micros(s.getLong("expiresAt"))));
        }
        return secrets;
    }

    private static List<DeletedSubscription.Attempt> history(JsonArray json) {
        List<DeletedSubscription.Attempt> history = new ArrayList<>(json.size());
        for (int i = 0; i < json.size(); i++) {
            JsonObject a = json.getJsonObject(i);
            history.add(new DeletedSubscription.Attempt(UUID.fromString(a.getString("id")),
                    UUID.fromString(a.getString("eventId")), SqlRows.micros(a.getLong("attemptedAt")),
                    a.getInteger("statusCode"), a.getString("statusDescription"), a.getInteger("durationMs")));
        }
        return history;
    }

    private static JsonArray jsonArray(Object value) {
        if (value instanceof JsonArray array) {
            return array;
        }
        if (value instanceof String text) {
            return new JsonArray(text);
        }
        return new JsonArray();
    }
}
