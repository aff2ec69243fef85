package dev.hookhub.delivery;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/**
 * A published event of one org: its type and payload as stored (Payloads: the bytes and their format).
 * Queries are {@link EventRepository}'s; publishing is one native statement there.
 */
@Entity
@Table(name = "event")
public class Event extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "org_id")
    public UUID orgId;

    public String type;

    /** The payload as stored: sealed under the org's data key when {@link #sealed}; null once erased. */
    public byte[] payload;

    /** Whether {@link #payload} is sealed (rows from before payload encryption are not, until the sealer runs). */
    public boolean sealed;

    /** When the event was erased (DELETE /v1/events/{id}); its payload is gone. */
    @Column(name = "erased_at")
    public Instant erasedAt;

    @Column(name = "payload_format")
    public String payloadFormat;

    /** The publisher's key; released (null) once older than the idempotency window. */
    @Column(name = "idempotency_key")
    public String idempotencyKey;

    @Column(name = "created_at")
    public Instant createdAt;
}
