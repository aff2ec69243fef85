package dev.hookhub.store;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How long anything may wait for the database, and what a client is told when it is unavailable. */
@ConfigMapping(prefix = "hookhub.database")
public interface DatabaseBounds {

    /**
     * PostgreSQL's {@code statement_timeout} and {@code idle_in_transaction_session_timeout} on every pooled
     * connection: the server cancels a statement (or ends a session idle in a transaction) past it.
     */
    @WithDefault("PT10S")
    Duration statementTimeout();

    /** The longest a request waits for a free pooled connection before a 503. */
    @WithDefault("PT5S")
    Duration acquisitionTimeout();

    /** The longest opening a connection (TCP connect) may take. */
    @WithDefault("PT5S")
    Duration connectTimeout();

    /** The longest readiness waits for the database's answer before it says DOWN. */
    @WithDefault("PT0.8S")
    Duration readinessTimeout();

    /** The {@code Retry-After} of a 503 answered while the database is unavailable. */
    @WithDefault("PT5S")
    Duration retryAfter();
}
