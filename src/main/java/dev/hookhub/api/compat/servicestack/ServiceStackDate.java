package dev.hookhub.api.compat.servicestack;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import dev.hookhub.negotiation.WireDateSerializer;
import org.msgpack.jackson.dataformat.MessagePackGenerator;

import java.io.IOException;
import java.time.Instant;

/**
 * ServiceStack's WCF-style JSON date, {@code "\/Date(1700000000000-0000)\/"} (milliseconds since the
 * epoch, UTC); a MessagePack timestamp in MessagePack.
 */
public final class ServiceStackDate extends WireDateSerializer {

    @Override
    protected String format(Instant value) {
        return "/Date(" + value.toEpochMilli() + "-0000)/";
    }

    @Override
    public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
        if (gen instanceof MessagePackGenerator) {
            super.serialize(value, gen, provider);
            return;
        }
        // ServiceStack escapes both slashes ("\/"), which Jackson never does for '/': write the string raw.
        gen.writeRawValue('"' + format(value).replace("/", "\\/") + '"');
    }
}
