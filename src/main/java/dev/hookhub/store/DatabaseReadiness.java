package dev.hookhub.store;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: UP when the database answers {@code select 1} within {@code hookhub.database.readiness-timeout}.
 * It replaces Quarkus' datasource checks ({@code quarkus.datasource.health.enabled=false}), which wait up
 * to 20 s for a database that does not answer and log a warning each time.
 */
@Readiness
@ApplicationScoped
public class DatabaseReadiness implements AsyncHealthCheck {

    private final DatabaseOutage outage;

    public DatabaseReadiness(DatabaseOutage outage) {
        this.outage = outage;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return outage.ping()
                .map(ok -> {
                    outage.available();
                    return HealthCheckResponse.up("Database");
                })
                .onFailure().recoverWithItem(e -> HealthCheckResponse.named("Database").down()
                        .withData("error", DatabaseOutage.summary(e)).build());
    }
}
