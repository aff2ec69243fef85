package dev.hookhub.tenancy;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/**
 * One change an operator or a client made, kept in {@code audit}: what ({@code action}), by whom, through
 * which surface, from where, and about what ({@code subscriptionId} or {@code target}). Subscription deletes
 * write theirs inside the delete statement (SubscriptionDeletion); credential changes write this entity in
 * the transaction of the change.
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

    public String target;

    @Column(insertable = false, updatable = false)
    public Instant at;

    /** A record of an operator's change to one of the org's credentials, through /v1/admin. */
    static AuditRecord byOperator(UUID orgId, String action, String target, String remoteAddress) {
        AuditRecord record = new AuditRecord();
        record.orgId = orgId;
        record.action = action;
        record.actor = "operator";
        record.surface = "v1-admin";
        record.remoteAddress = remoteAddress;
        record.target = target;
        return record;
    }
}
