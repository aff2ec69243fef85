package dev.hookhub.tenancy;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** An OAuth2 client-credentials client of one org. Only a digest of its secret is kept. */
@Entity
@Table(name = "api_client")
public class ApiClient extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "org_id")
    public UUID orgId;

    @Column(name = "client_id")
    public String clientId;

    @Column(name = "secret_hash")
    public byte[] secretHash;

    public String name;

    public String[] roles;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "revoked_at")
    public Instant revokedAt;

    @Column(name = "secret_rotated_at")
    public Instant secretRotatedAt;
}
