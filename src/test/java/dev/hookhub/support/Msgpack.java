package dev.hookhub.support;

import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ArrayValue;
import org.msgpack.value.ExtensionValue;
import org.msgpack.value.MapValue;
import org.msgpack.value.Value;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes and encodes MessagePack with msgpack-core's own unpacker and packer (not the Jackson
 * binding the service uses), so the tests read what any MessagePack client would.
 */
public final class Msgpack {

    private Msgpack() {
    }

    /** The body as plain Java: maps, lists, strings, Long/Double, Boolean, null, and Instant for timestamps. */
    public static Object decode(byte[] body) {
        try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(body)) {
            Value value = unpacker.unpackValue();
            if (unpacker.hasNext()) {
                throw new AssertionError("Trailing bytes after the MessagePack value");
            }
            return toJava(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> decodeMap(byte[] body) {
        Object value = decode(body);
        if (!(value instanceof Map)) {
            throw new AssertionError("Expected a MessagePack map, got " + value);
        }
        return (Map<String, Object>) value;
    }

    static Object toJava(Value value) {
        switch (value.getValueType()) {
            case NIL:
                return null;
            case BOOLEAN:
                return value.asBooleanValue().getBoolean();
            case INTEGER:
                return value.asIntegerValue().toLong();
            case FLOAT:
                return value.asFloatValue().toDouble();
            case STRING:
                return value.asStringValue().asString();
            case BINARY:
                return value.asBinaryValue().asByteArray();
            case ARRAY: {
                ArrayValue array = value.asArrayValue();
                List<Object> list = new ArrayList<>(array.size());
                array.forEach(v -> list.add(toJava(v)));
                return list;
            }
            case MAP: {
                MapValue map = value.asMapValue();
                Map<String, Object> out = new LinkedHashMap<>();
                map.entrySet().forEach(e -> out.put(e.getKey().asStringValue().asString(), toJava(e.getValue())));
                return out;
            }
            case EXTENSION: {
                ExtensionValue ext = value.asExtensionValue();
                if (value.isTimestampValue()) {
                    return value.asTimestampValue().toInstant();
                }
                return ext;
            }
            default:
                throw new AssertionError("Unexpected MessagePack type " + value.getValueType());
        }
    }

    /** Packs a map of strings, numbers, booleans, lists and maps with msgpack-core. */
    public static byte[] encode(Map<String, ?> map) {
        try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
            pack(packer, map);
            return packer.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void pack(MessageBufferPacker packer, Object value) throws IOException {
        if (value == null) {
            packer.packNil();
        } else if (value instanceof String s) {
            packer.packString(s);
        } else if (value instanceof Integer || value instanceof Long) {
            packer.packLong(((Number) value).longValue());
        } else if (value instanceof Double d) {
            packer.packDouble(d);
        } else if (value instanceof Boolean b) {
            packer.packBoolean(b);
        } else if (value instanceof Instant i) {
            packer.packTimestamp(i);
        } else if (value instanceof List<?> list) {
            packer.packArrayHeader(list.size());
            for (Object item : list) {
                pack(packer, item);
            }
        } else if (value instanceof Map<?, ?> map) {
            packer.packMapHeader(map.size());
            for (Map.Entry<?, ?> e : map.entrySet()) {
                packer.packString(String.valueOf(e.getKey()));
                pack(packer, e.getValue());
            }
        } else {
            throw new IllegalArgumentException("Cannot pack " + value.getClass());
        }
    }

    /** True when the raw body holds a timestamp extension (type -1) somewhere. */
    public static boolean containsTimestampExtension(byte[] body) {
        for (int i = 0; i + 1 < body.length; i++) {
            int b = body[i] & 0xff;
            if ((b == 0xd6 || b == 0xd7) && body[i + 1] == (byte) -1) {
                return true;
            }
            if (b == 0xc7 && i + 2 < body.length && body[i + 1] == 12 && body[i + 2] == (byte) -1) {
                return true;
            }
        }
        return false;
    }
}
