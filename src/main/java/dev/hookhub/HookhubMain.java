package dev.hookhub;

import io.quarkus.runtime.ImageMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import org.eclipse.microprofile.config.ConfigProvider;

import java.util.List;

/**
 * Entry point of the packaged service: refuses to start, naming every missing variable, before any
 * extension trips over the first one (quarkus-oidc would only complain about its own setting).
 */
@QuarkusMain
public class HookhubMain {

    public static void main(String... args) {
        // Only the packaged application (RunnerClassLoader, or a native image) checks here: dev mode calls
        // main before its profile is in the config, and StartupChecks covers it there.
        boolean packaged = ImageMode.current() == ImageMode.NATIVE_RUN
                || HookhubMain.class.getClassLoader().getClass().getName().endsWith("RunnerClassLoader");
        List<String> missing = packaged ? RequiredSettings.missing(ConfigProvider.getConfig()) : List.of();
        if (!missing.isEmpty()) {
            System.err.println(RequiredSettings.message(missing));
            System.exit(1);
        }
        Quarkus.run(args);
    }
}
