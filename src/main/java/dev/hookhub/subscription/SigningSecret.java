package dev.hookhub.subscription;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** One signing secret of a subscription, encrypted. Several are valid during a rotation overlap. */
@Entity
@Table(name = "signing_secret")
public class SigningSecret extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "subscription_id")
    public UUID subscriptionId;

    /** Public identifier of the key (m3ter's apiKey). */
    @Column(name = "key_id")
    public String keyId;

    public byte[] ciphertext;

    @Column(name = "created_at")
    public Instant createdAt;

    /** Null while current; set when a rotation retires it. */
    @Column(name = "expires_at")
    public Instant expiresAt;
}
