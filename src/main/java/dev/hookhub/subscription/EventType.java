package dev.hookhub.subscription;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * An event type of one org, registered on first use (by a subscription or a published event) and given a
 * positive number by the database (Hi Marley's EVENT_ID). Queries are {@link EventTypeRepository}'s; rows are
 * only ever inserted there, so the database's columns are read-only here (Hibernate Reactive reads back
 * generated values of single-column ids only).
 */
@Entity
@Table(name = "event_type")
@IdClass(EventType.Key.class)
public class EventType extends PanacheEntityBase {

    @Id
    @Column(name = "org_id")
    public UUID orgId;

    @Id
    public String name;

    @Column(insertable = false, updatable = false)
    public Integer number;

    @Column(name = "created_at", insertable = false, updatable = false)
    public Instant createdAt;

    /** The primary key: an org and a type name. */
    public static class Key implements Serializable {
        public UUID orgId;
        public String name;

        public Key() {
        }

        public Key(UUID orgId, String name) {
            this.orgId = orgId;
            this.name = name;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(orgId, k.orgId) && Objects.equals(name, k.name);
        }

        @Override
        public int hashCode() {
            return Objects.hash(orgId, name);
        }
    }
}
