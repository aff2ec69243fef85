package dev.hookhub.tenancy;

import java.util.Arrays;
import java.util.Optional;

/** What a caller may do in its org: Admin and Dispatcher change, Viewer reads. */
public enum Role {
    Admin, Dispatcher, Viewer;

    public boolean canWrite() {
        return this != Viewer;
    }

    /** The names of the roles that may write, as credentials store them (a text[] parameter in SQL). */
    public static String[] writerNames() {
        return Arrays.stream(values()).filter(Role::canWrite).map(Role::name).toArray(String[]::new);
    }

    public static Optional<Role> parse(String name) {
        for (Role role : values()) {
            if (role.name().equalsIgnoreCase(name)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
