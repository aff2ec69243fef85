package dev.hookhub.api.compat.m3ter;

import dev.hookhub.negotiation.WireDateSerializer;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** m3ter's date-time: ISO-8601 in UTC to the second with a {@code Z} ("2023-11-07T05:31:56Z"). */
@RegisterForReflection
public final class M3terDateTime extends WireDateSerializer {

    @Override
    protected String format(Instant value) {
        return DateTimeFormatter.ISO_INSTANT.format(value.truncatedTo(ChronoUnit.SECONDS));
    }
}
