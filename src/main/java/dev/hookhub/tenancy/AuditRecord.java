package dev.hookhub.tenancy;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * One row of the audit table: who did what, through which surface, from where. The delete core writes its
 * rows inside its own statement (SubscriptionDeletion); credential changes persist this entity in their
 * transaction. {@code target} names what a credential change acted on (a client id, an API key's id).
 */
@Entity
@Table(name = "audit")
public class AuditRecord extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "org_id")
    public UUID orgId;

    @Column(name = "subscription_id")
    public UUID subscriptionId;

    public String action;

    public String actor;

    public String surface;

    @Column(name = "remote_address")
    public String remoteAddress;

    public Instant at;

    public String target;

    /** A record of a change to the org itself ({@code target}: what it says about it), made at {@code at}. */
    public static AuditRecord ofOrg(UUID orgId, String action, String target, Requester by, Instant at) {
        return ofCredential(orgId, action, target, by, at);
    }

    /**
     * A record of a change to something of the org (a subscription, an event, the org itself), made now;
     * {@code subscriptionId} and {@code target} null when the change has none.
     */
    public static AuditRecord of(UUID orgId, UUID subscriptionId, String action, String target, Requester by) {
        AuditRecord record = ofCredential(orgId, action, target, by, Instant.now());
        record.subscriptionId = subscriptionId;
        return record;
    }

    /** A record of a change to one of the org's credentials, made at {@code at}. */
    static AuditRecord ofCredential(UUID orgId, String action, String target, Requester by, Instant at) {
        AuditRecord record = new AuditRecord();
        record.orgId = orgId;
        record.action = action;
        record.actor = by.actor();
        record.surface = by.surface();
        record.remoteAddress = by.remoteAddress();
        record.target = target;
        record.at = at.truncatedTo(ChronoUnit.MICROS);
        return record;
    }
}
