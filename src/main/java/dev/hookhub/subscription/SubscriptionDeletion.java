package dev.hookhub.subscription;

import dev.hookhub.store.PipelinedTransaction;
import dev.hookhub.store.SqlErrors;
import dev.hookhub.support.SqlRows;
import dev.hookhub.tenancy.Role;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * The one delete core (API.md §2): every surface deletes through here and nothing else deletes.
 *
 * <p>All six steps are one SQL statement of data-modifying CTEs through the reactive client — lock the
 * live row (FOR UPDATE), read it as it was, tombstone it, drop its pending deliveries, delete its
 * secret rows (crypto-shred: the only copies of the ciphertext), write the audit record, and read the
 * history — so an unverified delete is one round trip and needs no explicit transaction. Hibernate
 * Reactive's lock modes are unreliable (quarkus#40285, hibernate-reactive#1905), hence native SQL.
 * A concurrent second delete blocks on the row lock, then re-checks {@code deleted_at is null} on the
 * committed row and finds nothing: exactly one delete succeeds.
 *
 * <p>A publish racing the delete: the fan-out holds the subscription rows it queues for FOR KEY SHARE
 * (EventPublisher), which the FOR UPDATE here waits for. A publish that locked first has committed by
 * the time the deliveries are dropped, and {@code drop_pending_deliveries} (VOLATILE, V4) reads with a
 * fresh snapshot, so it sees them; a publish that comes second waits for this commit and then skips the
 * tombstoned row. No delivery of a deleted subscription stays queued.
 */
@ApplicationScoped
public class SubscriptionDeletion {

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
                select drop_pending_deliveries(target.id) as n from target
            ), shredded as (
                delete from signing_secret k using target
                where k.subscription_id = target.id
                returning k.key_id, k.ciphertext, k.created_at, k.expires_at
            ), audited as (
                insert into audit (org_id, subscription_id, action, actor, surface, remote_address)
                select target.org_id, target.id, 'subscription.delete', $2, $3, $4 from target
            )
            select t.id, t.number, t.org_id, t.name, t.description, t.code, t.url, t.events, t.content_type,
                   t.headers, t.active, t.version, t.created_at, t.created_by, t.modified_at, t.modified_by,
                   tomb.deleted_at, t.last_http_success, t.last_http_fail, t.owner_public_key,
                   (select et.number from event_type et where et.org_id = t.org_id and et.name = t.events[1])
                       as first_event_number,
                   (select sum(n) from dropped)::int8 as dropped_deliveries,
                   (select json_agg(json_build_object('keyId', k.key_id, 'ciphertext', encode(k.ciphertext, 'base64'),
                           'createdAt', (extract(epoch from k.created_at) * 1000000)::int8,
                           'expiresAt', (extract(epoch from k.expires_at) * 1000000)::int8) order by k.created_at desc)
                      from shredded k) as secrets,
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
    private static final String[] WRITERS = Role.writerNames();

    private final Pool pool;

    public SubscriptionDeletion(Pool pool) {
        this.pool = pool;
    }

    /**
     * Deletes the subscription the request names. The item is the subscription as it was, or null when
     * none is live in scope (each surface answers its own not-found). A failing verifier, or the
     * time limit, rolls everything back; the time limit fails with {@link DeletionTimedOut}.
     */
    public Uni<DeletedSubscription> delete(DeletionRequest request) {
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
        } else {
            sql = BY_SECRET;
            args = Tuple.of(((DeletionScope.BySecret) scope).id(), request.actor(), request.surface(),
                    request.remoteAddress(), request.historyLimit(), null);
        }
        if (request.verifier() == null && request.timeout() == null) {
            // A single statement is atomic on its own: one round trip.
            return run(pool, sql, args);
        }
        return inTransaction(sql, args, request)
                .onFailure(SqlErrors::isStatementTimeout).transform(e -> new DeletionTimedOut(request.timeout()));
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
                        .map(SubscriptionDeletion::read);
            }
            return PipelinedTransaction.open(connection.getDelegate(), begin, sql, args.getDelegate())
                    .map(SubscriptionDeletion::read)
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
