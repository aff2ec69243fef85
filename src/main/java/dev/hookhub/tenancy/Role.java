package dev.hookhub.tenancy;

import java.util.Optional;

/** What a caller may do in its org: Admin and Dispatcher change, Viewer reads. */
public enum Role {
    Admin, Dispatcher, Viewer;

    public boolean canWrite() {
        return this != Viewer;
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
