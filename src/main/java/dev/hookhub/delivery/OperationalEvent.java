package dev.hookhub.delivery;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import java.time.Instant;
import java.util.UUID;

/**
 * An operational event waiting in the outbox: written by the statement that caused it (the delete core, the
 * attempt recorder), published and deleted by {@link OperationalEvents}. Queries are
 * {@link OperationalEventRepository}'s.
 */
@Entity
@Table(name = "operational_event")
public class OperationalEvent extends PanacheEntityBase {

    /** The id the published event gets. */
    @Id
    public UUID id;

    @Column(name = "org_id")
    public UUID orgId;

    /** One of the {@code hookhub.*} types ({@link OperationalEvents}). */
    public String type;

    /** The event's {@code data} object, as JSON text. */
    @JdbcTypeCode(SqlTypes.JSON)
    public String data;

    /** When its cause happened (the event's {@code timestamp}). */
    @Column(name = "created_at")
    public Instant createdAt;
}
