package dev.hookhub.negotiation;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import org.msgpack.jackson.dataformat.MessagePackExtensionType;
import org.msgpack.jackson.dataformat.MessagePackFactory;
import org.msgpack.jackson.dataformat.MessagePackGenerator;
import org.msgpack.jackson.dataformat.MessagePackParser;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;

/**
 * Any one JSON or MessagePack value (an event payload), kept as the bytes of one format and copied token
 * by token: read from a request body, written into a response or re-encoded into the other format without
 * ever becoming a tree, so a payload costs about its own size in memory (a tree of 100,000 small values
 * costs tens of megabytes) however many requests and deliveries hold one.
 */
@JsonDeserialize(using = WireValue.Reader.class)
@JsonSerialize(using = WireValue.Writer.class)
public record WireValue(byte[] bytes, WireFormat format) {

    /** Parsers of stored values: they were held to {@link BodyBounds} when they arrived. */
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(BodyBounds.jsonConstraints(Integer.MAX_VALUE)).build();
    private static final JsonFactory MSGPACK = new MessagePackFactory();

    /** The value in the given format: the same bytes when the format is its own. */
    public byte[] encode(WireFormat target) {
        if (target == format) {
            return bytes;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + 16);
        try (JsonParser parser = parser(); JsonGenerator generator = factory(target).createGenerator(out)) {
            parser.nextToken();
            copy(parser, generator);
        } catch (IOException e) {
            throw new IllegalStateException("A stored " + format + " value cannot be re-encoded as " + target, e);
        }
        return out.toByteArray();
    }

    /**
     * Copies the value under the parser. MessagePack's own kinds have no JSON twin: into JSON a timestamp
     * (extension -1) is written as ISO-8601 UTC text, like every /v1 date-time, and a binary or any other
     * extension as the base64 of its bytes.
     */
    private static void copy(JsonParser parser, JsonGenerator generator) throws IOException {
        if (!(parser instanceof MessagePackParser) || generator instanceof MessagePackGenerator) {
            generator.copyCurrentStructure(parser);
            return;
        }
        int depth = 0;
        do {
            JsonToken token = parser.currentToken();
            if (token == JsonToken.VALUE_EMBEDDED_OBJECT) {
                Object embedded = parser.getEmbeddedObject();
                if (embedded instanceof MessagePackExtensionType extension) {
                    Instant instant = extension.getType() == MsgpackTimestamp.EXT_TYPE
                            ? MsgpackTimestamp.decode(extension.getData()) : null;
                    if (instant != null) {
                        generator.writeString(instant.toString());
                    } else {
                        generator.writeBinary(extension.getData());
                    }
                } else if (embedded instanceof byte[] binary) {
                    generator.writeBinary(binary);
                } else {
                    generator.writeNull();
                }
            } else {
                generator.copyCurrentEvent(parser);
                if (token == JsonToken.START_ARRAY || token == JsonToken.START_OBJECT) {
                    depth++;
                } else if (token == JsonToken.END_ARRAY || token == JsonToken.END_OBJECT) {
                    depth--;
                }
            }
        } while (depth > 0 && parser.nextToken() != null);
    }

    private JsonParser parser() throws IOException {
        return factory(format).createParser(bytes);
    }

    private static JsonFactory factory(WireFormat format) {
        return format == WireFormat.MSGPACK ? MSGPACK : JSON;
    }

    private static WireFormat formatOf(JsonParser parser) {
        return parser instanceof MessagePackParser ? WireFormat.MSGPACK : WireFormat.JSON;
    }

    /** Copies the value under the parser into bytes of the parser's own format. */
    static final class Reader extends JsonDeserializer<WireValue> {
        @Override
        public WireValue deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            WireFormat format = formatOf(parser);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (JsonGenerator generator = factory(format).createGenerator(out)) {
                generator.setCodec(parser.getCodec());
                generator.copyCurrentStructure(parser);
            }
            return new WireValue(out.toByteArray(), format);
        }

        /** An explicit null is a value (JSON null); only a missing field is no value. */
        @Override
        public WireValue getNullValue(DeserializationContext context) {
            WireFormat format = context.getParser() == null ? WireFormat.JSON : formatOf(context.getParser());
            return new WireValue(format == WireFormat.MSGPACK ? new byte[] {(byte) 0xc0} : "null".getBytes(), format);
        }

        @Override
        public Object getAbsentValue(DeserializationContext context) {
            return null;
        }
    }

    /** Copies the stored value into whatever a response is being written as. */
    static final class Writer extends JsonSerializer<WireValue> {
        @Override
        public void serialize(WireValue value, JsonGenerator generator, SerializerProvider provider) throws IOException {
            try (JsonParser parser = value.parser()) {
                parser.nextToken();
                copy(parser, generator);
            }
        }
    }
}
