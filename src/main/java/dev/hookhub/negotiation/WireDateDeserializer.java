package dev.hookhub.negotiation;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.msgpack.jackson.dataformat.MessagePackExtensionType;

import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * A date-time in a /v1 request body, the reading side of {@link WireDateSerializer.IsoUtc}: an ISO-8601 string
 * with an offset ({@code 2026-12-05T17:00:00Z}) in either format, or a MessagePack timestamp (extension -1).
 * Anything else fails as a wrongly typed field (a 400 naming it).
 */
@RegisterForReflection
public final class WireDateDeserializer extends StdScalarDeserializer<Instant> {

    public WireDateDeserializer() {
        super(Instant.class);
    }

    @Override
    public Instant deserialize(JsonParser parser, DeserializationContext context) throws IOException {
        if (parser.currentToken() == JsonToken.VALUE_STRING) {
            String text = parser.getText();
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e) {
                throw InvalidFormatException.from(parser, "not an ISO-8601 date-time", text, Instant.class);
            }
        }
        if (parser.currentToken() == JsonToken.VALUE_EMBEDDED_OBJECT
                && parser.getEmbeddedObject() instanceof MessagePackExtensionType ext
                && ext.getType() == MsgpackTimestamp.EXT_TYPE) {
            Instant instant = MsgpackTimestamp.decode(ext.getData());
            if (instant != null) {
                return instant;
            }
        }
        return (Instant) context.handleUnexpectedToken(Instant.class, parser);
    }
}
