package dev.hookhub.delivery;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * Every query of the operational-event outbox the relay runs ({@link OperationalEvents}). Rows are written by
 * the statements that cause them (the delete core in SubscriptionRepository, the attempt recorder in
 * {@link DeliveryAttemptRepository}), in their transactions.
 */
@ApplicationScoped
public class OperationalEventRepository implements PanacheRepositoryBase<OperationalEvent, UUID> {

    /**
     * An outbox row as the relay publishes it: the whole payload (Standard Webhooks' envelope: type,
     * timestamp, data) as JSON text, and whether its org is offboarded (then it is dropped, not published).
     */
    public record Pending(UUID id, UUID orgId, String type, String payload, boolean discarded) {
    }

    private static final String OLDEST = """
            select o.id, o.org_id, o.type,
                   json_build_object('type', o.type, 'timestamp', iso_utc(o.created_at), 'data', o.data)::text as payload,
                   g.offboarded_at is not null as discarded
              from operational_event o join organization g on g.id = o.org_id
             order by o.created_at, o.id
             limit $1
               for update of o skip locked
            """;

    private static final String ANY = "select exists (select 1 from operational_event)";

    private static final String DELETE = "delete from operational_event where id = any($1::uuid[])";

    private final Pool pool;

    public OperationalEventRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Whether the outbox holds a row: the relay's probe, once a second, so an empty outbox costs one index read.
     * Native, on the pool like {@link #relay}: the relay never opens a Hibernate session (its publishes must not
     * join one), and a probe every second from the start should not parse HQL on the event loop.
     */
    public Uni<Boolean> any() {
        return pool.preparedQuery(ANY).execute().map(rows -> rows.iterator().next().getBoolean(0));
    }

    /**
     * One relay transaction: locks the oldest rows no other relay holds (at most {@code limit}, oldest first),
     * hands them to {@code publish}, deletes the rows it answers and commits; a failure of {@code publish}
     * rolls back, so every row stays. The rows taken. Native, on a pooled connection of its own rather than a
     * Hibernate session: {@code FOR UPDATE SKIP LOCKED} (Hibernate Reactive's lock modes are unreliable,
     * quarkus#40285, hibernate-reactive#1905), and a publish, which commits on its own, must never join this
     * transaction.
     */
    public Uni<Integer> relay(int limit, Function<List<Pending>, Uni<List<UUID>>> publish) {
        return pool.withTransaction(connection -> connection.preparedQuery(OLDEST).execute(Tuple.of(limit))
                .flatMap(rows -> {
                    List<Pending> pending = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        pending.add(new Pending(r.getUUID("id"), r.getUUID("org_id"), r.getString("type"),
                                r.getString("payload"), r.getBoolean("discarded")));
                    }
                    if (pending.isEmpty()) {
                        return Uni.createFrom().item(0);
                    }
                    return publish.apply(pending).flatMap(done -> done.isEmpty() ? Uni.createFrom().item(pending.size())
                            : connection.preparedQuery(DELETE).execute(Tuple.of(done.toArray(UUID[]::new)))
                                    .map(deleted -> pending.size()));
                }));
    }
}
