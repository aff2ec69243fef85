package dev.hookhub.negotiation;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.msgpack.jackson.dataformat.MessagePackGenerator;

import java.io.IOException;
import java.time.Instant;

/**
 * One date-time wire format: a MessagePack timestamp in MessagePack, the surface's own text in JSON.
 * Each documented JSON form is one subclass, registered on the DTO field that carries it.
 */
public abstract class WireDateSerializer extends StdSerializer<Instant> {

    protected WireDateSerializer() {
        super(Instant.class);
    }

    /** The JSON text of this format. */
    protected abstract String format(Instant value);

    @Override
    public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
        if (gen instanceof MessagePackGenerator msgpack) {
            MsgpackTimestamp.write(msgpack, value);
        } else {
            gen.writeString(format(value));
        }
    }

    /** ISO-8601 in UTC with a {@code Z}, as {@link Instant#toString()} writes it: the /v1 default. */
    @RegisterForReflection
    public static final class IsoUtc extends WireDateSerializer {
        @Override
        protected String format(Instant value) {
            return value.toString();
        }
    }
}
