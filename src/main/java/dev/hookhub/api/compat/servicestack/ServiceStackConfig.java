package dev.hookhub.api.compat.servicestack;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** The ServiceStack dialect's knobs, under {@code hookhub.servicestack.}. */
@ConfigMapping(prefix = "hookhub.servicestack")
public interface ServiceStackConfig {

    /** Most delivery attempts a delete answers in {@code history}, newest first. */
    @WithDefault("100")
    int historyLimit();

    Throttle throttle();

    /**
     * Wrong secrets for one subscription id: after {@code max-failures} within {@code window}, every
     * further try for that id is answered 429 until the oldest failure leaves the window. Counted in
     * memory, per instance (a restart or another instance starts afresh).
     */
    interface Throttle {
        @WithDefault("5")
        int maxFailures();

        @WithDefault("PT1M")
        Duration window();
    }
}
