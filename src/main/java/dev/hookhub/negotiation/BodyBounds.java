package dev.hookhub.negotiation;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

import java.io.IOException;

/**
 * The bounds every JSON or MessagePack request body is held to, checked by one walk over its bytes before
 * any parser builds a value from it: nesting depth, the number of values (so the size of every array and
 * map), string length, exactly one top-level value. MessagePack declares lengths and counts up front and
 * msgpack-jackson allocates whatever a header declares, so each declared length is also held to the bytes
 * that remain; the walk reads headers only and allocates nothing. Both formats share the same limits.
 */
public final class BodyBounds {

    /** Deepest nesting of arrays and maps (the body itself is level 1). */
    public static final int MAX_DEPTH = 500;
    /** Most values in one body, map keys and every container included; so also the most entries of one array or map. */
    public static final int MAX_VALUES = 100_000;
    private static final String NOT_FINITE = "a number is not finite (NaN, an infinity, or too large for a 64-bit float)";
    /** Longest number text in JSON (Jackson's default). */
    public static final int MAX_NUMBER_LENGTH = 1000;

    private BodyBounds() {
    }

    /** The JSON reading constraints that match these bounds (a string can be no longer than a body). */
    public static StreamReadConstraints jsonConstraints(int maxBodySize) {
        return StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH)
                .maxStringLength(maxBodySize)
                .maxNameLength(maxBodySize)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .build();
    }

    /** Checks a MessagePack body; fails with a 400 problem naming what is wrong. True when the body is a map. */
    public static boolean checkMsgpack(byte[] body) {
        new MsgpackWalk(body).run();
        int first = body[0] & 0xff;
        return (first >= 0x80 && first <= 0x8f) || first == 0xde || first == 0xdf;
    }

    /**
     * Checks a JSON body with a parser of this factory (which holds {@link #jsonConstraints}); fails with a
     * 400 problem naming what is wrong. True when the body is an object.
     */
    public static boolean checkJson(JsonFactory factory, byte[] body) {
        int depth = 0;
        int values = 0;
        try (JsonParser parser = factory.createParser(body)) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                throw malformed("JSON", "the body holds no value");
            }
            boolean object = token == JsonToken.START_OBJECT;
            while (true) {
                if (token == JsonToken.END_ARRAY || token == JsonToken.END_OBJECT) {
                    depth--;
                } else if (token == JsonToken.VALUE_NUMBER_FLOAT && !Double.isFinite(parser.getDoubleValue())) {
                    throw malformed("JSON", NOT_FINITE);
                } else {
                    if (++values > MAX_VALUES) {
                        throw tooManyValues("JSON");
                    }
                    if (token == JsonToken.START_ARRAY || token == JsonToken.START_OBJECT) {
                        if (++depth > MAX_DEPTH) {
                            throw tooDeep("JSON");
                        }
                    }
                }
                if (depth == 0) {
                    break;
                }
                token = parser.nextToken();
                if (token == null) {
                    throw malformed("JSON", "the body ends too early (truncated)");
                }
            }
            if (parser.nextToken() != null) {
                throw malformed("JSON", "unexpected data after the first value");
            }
            return object;
        } catch (StreamConstraintsException e) {
            throw malformed("JSON", constraint(e));
        } catch (IOException | RuntimeException e) {
            throw BodyProblems.malformed("JSON", e);
        }
    }

    /** Jackson's constraint messages name its own classes; this says which bound was passed. */
    private static String constraint(StreamConstraintsException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("nesting depth")) {
            return "nested deeper than " + MAX_DEPTH + " levels";
        }
        if (message.contains("Number value length")) {
            return "a number is longer than " + MAX_NUMBER_LENGTH + " characters";
        }
        return "a string or name is longer than the body limit";
    }

    static ProblemException malformed(String format, String reason) {
        return ProblemException.badRequest("Malformed " + format + " body: " + reason);
    }

    private static ProblemException tooDeep(String format) {
        return malformed(format, "nested deeper than " + MAX_DEPTH + " levels");
    }

    private static ProblemException tooManyValues(String format) {
        return malformed(format, "holds more than " + MAX_VALUES + " values");
    }

    /**
     * One pass over MessagePack headers (the format's spec, byte by byte), with a stack of how many values
     * each open array or map still holds.
     */
    private static final class MsgpackWalk {
        private final byte[] body;
        private final long[] open = new long[MAX_DEPTH + 1];
        private final boolean[] map = new boolean[MAX_DEPTH + 1];
        private int position;
        private int depth;
        private int values;

        MsgpackWalk(byte[] body) {
            this.body = body;
        }

        void run() {
            if (body.length == 0) {
                throw malformed("MessagePack", "the body holds no value");
            }
            open[0] = 1;
            while (true) {
                while (depth > 0 && open[depth] == 0) {
                    depth--;
                }
                if (depth == 0 && open[0] == 0) {
                    break;
                }
                open[depth]--;
                // A map's 2n values alternate key, value: a key leaves an odd count behind it.
                if (map[depth] && open[depth] % 2 == 1) {
                    key();
                } else {
                    value();
                }
            }
            if (position < body.length) {
                throw malformed("MessagePack", "unexpected data after the first value");
            }
        }

        private void value() {
            if (++values > MAX_VALUES) {
                throw tooManyValues("MessagePack");
            }
            int b = next();
            if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
                return; // fixint, nil, booleans
            }
            if (b <= 0x8f) {
                container(2L * (b & 0x0f), true);
            } else if (b <= 0x9f) {
                container(b & 0x0f, false);
            } else if (b <= 0xbf) {
                payload(b & 0x1f, "a string");
            } else {
                switch (b) {
                    case 0xc4 -> payload(unsigned(1), "a binary");
                    case 0xc5 -> payload(unsigned(2), "a binary");
                    case 0xc6 -> payload(unsigned(4), "a binary");
                    case 0xc7 -> extension(unsigned(1));
                    case 0xc8 -> extension(unsigned(2));
                    case 0xc9 -> extension(unsigned(4));
                    case 0xca -> finite(4);
                    case 0xcb -> finite(8);
                    case 0xce, 0xd2 -> payload(4, "a number");
                    case 0xcf, 0xd3 -> payload(8, "a number");
                    case 0xcc, 0xd0 -> payload(1, "a number");
                    case 0xcd, 0xd1 -> payload(2, "a number");
                    case 0xd4 -> extension(1);
                    case 0xd5 -> extension(2);
                    case 0xd6 -> extension(4);
                    case 0xd7 -> extension(8);
                    case 0xd8 -> extension(16);
                    case 0xd9 -> payload(unsigned(1), "a string");
                    case 0xda -> payload(unsigned(2), "a string");
                    case 0xdb -> payload(unsigned(4), "a string");
                    case 0xdc -> container(unsigned(2), false);
                    case 0xdd -> container(unsigned(4), false);
                    case 0xde -> container(2 * unsigned(2), true);
                    case 0xdf -> container(2 * unsigned(4), true);
                    default -> throw malformed("MessagePack", "byte 0x" + Integer.toHexString(b) + " at offset "
                            + (position - 1) + " starts no MessagePack value");
                }
            }
        }

        /** A map key: a string, number, boolean or binary (what JSON can name a field by); nil, arrays, maps and extensions are refused. */
        private void key() {
            int b = position < body.length ? body[position] & 0xff : -1;
            boolean container = (b >= 0x80 && b <= 0x9f) || b == 0xdc || b == 0xdd || b == 0xde || b == 0xdf;
            boolean other = b == 0xc0 || (b >= 0xc7 && b <= 0xc9) || (b >= 0xd4 && b <= 0xd8);
            if (container || other) {
                throw malformed("MessagePack", "the map key at offset " + position
                        + " is not a string, number or boolean");
            }
            value();
        }

        /** An array or map header declaring this many values, each at least a byte. */
        private void container(long entries, boolean isMap) {
            if (depth + 1 > MAX_DEPTH) {
                throw tooDeep("MessagePack");
            }
            if (entries > body.length - position) {
                throw malformed("MessagePack", "the body ends too early (truncated) or lies about a length: an array or map header before offset " + position + " declares " + entries
                        + " values but only " + (body.length - position) + " bytes remain");
            }
            if (entries > MAX_VALUES) {
                throw tooManyValues("MessagePack");
            }
            open[++depth] = entries;
            map[depth] = isMap;
        }

        /** A float32 or float64: NaN and the infinities have no JSON form, so no body may hold one. */
        private void finite(int bytes) {
            int start = position;
            long bits = unsigned(bytes);
            boolean finite = bytes == 4 ? Float.isFinite(Float.intBitsToFloat((int) bits))
                    : Double.isFinite(Double.longBitsToDouble(bits));
            if (!finite) {
                throw malformed("MessagePack", NOT_FINITE + " at offset " + (start - 1));
            }
        }

        private void extension(long length) {
            payload(1 + length, "an extension");
        }

        private void payload(long length, String what) {
            if (length > body.length - position) {
                throw malformed("MessagePack", "the body ends too early (truncated) or lies about a length: " + what + " at offset " + position + " declares " + length
                        + " bytes but only " + (body.length - position) + " remain");
            }
            position += (int) length;
        }

        private long unsigned(int bytes) {
            if (bytes > body.length - position) {
                throw malformed("MessagePack", "the body ends too early (truncated)");
            }
            long value = 0;
            for (int i = 0; i < bytes; i++) {
                value = (value << 8) | (body[position++] & 0xff);
            }
            return value;
        }

        private int next() {
            if (position >= body.length) {
                throw malformed("MessagePack", "the body ends too early (truncated)");
            }
            return body[position++] & 0xff;
        }
    }
}
