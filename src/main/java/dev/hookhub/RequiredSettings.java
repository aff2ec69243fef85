package dev.hookhub;

import io.quarkus.runtime.ImageMode;
import org.eclipse.microprofile.config.Config;

import java.util.ArrayList;
import java.util.List;

/** The secrets that only the dev and test profiles have defaults for; every other start needs them. */
public final class RequiredSettings {

    private RequiredSettings() {
    }

    public static List<String> missing(Config config) {
        List<String> missing = new ArrayList<>();
        if (blank(config, "hookhub.admin-token")) {
            missing.add("HOOKHUB_ADMIN_TOKEN (the operator token for /v1/admin)");
        }
        if (blank(config, "hookhub.encryption-key")) {
            missing.add("HOOKHUB_ENCRYPTION_KEY (base64 of 32 random bytes: openssl rand -base64 32)");
        }
        boolean issuing = config.getOptionalValue("hookhub.token.issuing-enabled", Boolean.class).orElse(true);
        boolean externalOidc = !blank(config, "quarkus.oidc.auth-server-url");
        if (issuing && blank(config, "hookhub.token.signing-key")) {
            missing.add("HOOKHUB_TOKEN_SIGNING_KEY (base64 PKCS#8 EC P-256 private key that signs /oauth/token tokens;"
                    + " or HOOKHUB_TOKEN_ISSUING_ENABLED=false with an external OIDC provider)");
        }
        if (!externalOidc && blank(config, "hookhub.token.public-key")) {
            missing.add("HOOKHUB_TOKEN_PUBLIC_KEY (base64 X.509 public key of the signing key;"
                    + " or QUARKUS_OIDC_AUTH_SERVER_URL of an external OIDC provider)");
        }
        boolean embedded = config.getOptionalValue("hookhub.embedded-db.enabled", Boolean.class).orElse(false);
        boolean nativeImage = ImageMode.current() == ImageMode.NATIVE_RUN;
        if (!embedded || nativeImage) {
            if (blank(config, "quarkus.datasource.reactive.url") || blank(config, "quarkus.datasource.jdbc.url")) {
                missing.add("QUARKUS_DATASOURCE_REACTIVE_URL and QUARKUS_DATASOURCE_JDBC_URL (the PostgreSQL database;"
                        + (nativeImage ? " the native image has no embedded PostgreSQL)"
                                : " or HOOKHUB_EMBEDDED_DB_ENABLED=true for an embedded one)"));
            }
            if (blank(config, "quarkus.datasource.password")) {
                missing.add("QUARKUS_DATASOURCE_PASSWORD (with QUARKUS_DATASOURCE_USERNAME)");
            }
        }
        return missing;
    }

    public static String message(List<String> missing) {
        return "hookhub cannot start: missing configuration:\n  - " + String.join("\n  - ", missing);
    }

    private static boolean blank(Config config, String name) {
        try {
            return config.getOptionalValue(name, String.class).filter(v -> !v.isBlank()).isEmpty();
        } catch (RuntimeException e) {
            return true;
        }
    }
}
