package dev.hookhub.tenancy;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.Generated;

import java.time.Instant;
import java.util.UUID;

/** A tenant. Its {@code number} is assigned by the database (CRO's x-tenant-id). */
@Entity
@Table(name = "organization")
public class Organization extends PanacheEntityBase {

    @Id
    public UUID id;

    @Generated
    @Column(insertable = false, updatable = false)
    public Integer number;

    public String name;

    @Generated
    @Column(name = "created_at", insertable = false, updatable = false)
    public Instant createdAt;

    /** The org's data key wrapped under the master key; null before its first payload and after offboarding. */
    @Column(name = "data_key")
    public byte[] dataKey;

    /** When offboarding started; from then the org accepts nothing. */
    @Column(name = "offboarded_at")
    public Instant offboardedAt;
}
