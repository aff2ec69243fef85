package dev.hookhub.negotiation;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.hookhub.HookhubConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.msgpack.jackson.dataformat.MessagePackFactory;

import java.io.IOException;
import java.lang.reflect.Type;
import java.time.Instant;

/**
 * The two object mappers: Quarkus' JSON mapper, and a MessagePack copy of it that writes the same
 * keys and writes every {@link Instant} as a MessagePack timestamp.
 */
@ApplicationScoped
public class WireCodecs {

    private final ObjectMapper json;
    private final ObjectMapper msgpack;
    private final ObjectMapper jsonReader;
    private final ObjectMapper msgpackReader;

    public WireCodecs(ObjectMapper json, HookhubConfig config) {
        this.json = json;
        this.msgpack = json.copyWith(new MessagePackFactory())
                .registerModule(new SimpleModule("hookhub-msgpack-time")
                        .addSerializer(Instant.class, new WireDateSerializer.IsoUtc()));
        this.jsonReader = strict(json.copy());
        this.jsonReader.getFactory().setStreamReadConstraints(BodyBounds.jsonConstraints(config.maxBodySize()));
        // Field names a client invents are not kept: no shared symbol table or JVM string table grows with them.
        this.jsonReader.getFactory().disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES);
        this.jsonReader.getFactory().disable(JsonFactory.Feature.INTERN_FIELD_NAMES);
        this.msgpackReader = strict(msgpack.copy());
    }

    /**
     * Request bodies are read strictly: 1 is not a string, "true" is not a boolean, and no string
     * holds a NUL character (PostgreSQL text cannot store one).
     */
    private static ObjectMapper strict(ObjectMapper mapper) {
        mapper.registerModule(new SimpleModule("hookhub-strict-strings").addDeserializer(String.class, new NulFreeString()));
        mapper.disable(MapperFeature.ALLOW_COERCION_OF_SCALARS);
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return mapper;
    }

    /** Jackson's string reading, refusing NUL characters with the field named. */
    static final class NulFreeString extends StdScalarDeserializer<String> {
        NulFreeString() {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            String value = StringDeserializer.instance.deserialize(parser, context);
            if (value != null && value.indexOf('\0') >= 0) {
                throw InvalidFormatException.from(parser, "contains a NUL character", value, String.class);
            }
            return value;
        }
    }

    /** The strict mapper that reads request bodies of this format. */
    public ObjectMapper reader(WireFormat format) {
        return format == WireFormat.MSGPACK ? msgpackReader : jsonReader;
    }

    public ObjectMapper json() {
        return json;
    }

    public ObjectMapper msgpack() {
        return msgpack;
    }

    public ObjectMapper of(WireFormat format) {
        return format == WireFormat.MSGPACK ? msgpack : json;
    }

    /**
     * Reads a request body of this format strictly into the type; an empty body is null. The body is first
     * held to {@link BodyBounds} (one value, its depth, size and declared lengths), so no parser allocates
     * more than the bytes sent. Malformed, truncated, unbounded or wrongly typed input fails with a 400
     * problem that names the field when known.
     */
    public Object readBody(WireFormat format, byte[] body, Type type) {
        if (body.length == 0) {
            return null;
        }
        String name = format == WireFormat.MSGPACK ? "MessagePack" : "JSON";
        ObjectMapper mapper = reader(format);
        check(format, body);
        JavaType javaType = mapper.getTypeFactory().constructType(type);
        try (JsonParser parser = mapper.createParser(body)) {
            return mapper.readValue(parser, javaType);
        } catch (IOException | RuntimeException e) {
            throw BodyProblems.malformed(name, e);
        }
    }

    /**
     * Holds a body of this format to {@link BodyBounds} without building anything from it (a body that is
     * accepted and ignored); true when it is a map (a JSON object).
     */
    public boolean check(WireFormat format, byte[] body) {
        return format == WireFormat.MSGPACK ? BodyBounds.checkMsgpack(body)
                : BodyBounds.checkJson(jsonReader.getFactory(), body);
    }

    /** Serializes a body for a response whose entity is written as raw bytes (problems). */
    public byte[] write(WireFormat format, Object value) {
        try {
            return of(format).writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialize " + value.getClass().getSimpleName(), e);
        }
    }
}
