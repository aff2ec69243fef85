package dev.hookhub;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.ConfigProvider;

import java.util.List;

/** The same check as {@link HookhubMain}, for launches that do not come through it (dev mode). */
@ApplicationScoped
public class StartupChecks {

    void check(@Observes @Priority(1) StartupEvent event) {
        List<String> missing = RequiredSettings.missing(ConfigProvider.getConfig());
        if (!missing.isEmpty()) {
            throw new IllegalStateException(RequiredSettings.message(missing));
        }
    }
}
