import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A dependency-free JSON <-> MessagePack converter for trying hookhub's MessagePack side with curl.
 * Runs with the JDK alone (java 17+ launches a single source file):
 *   echo '{"name":"x"}' | java scripts/Msgpack.java encode > body.mp
 *   curl ... --data-binary @body.mp | java scripts/Msgpack.java decode
 * Decoding shows MessagePack timestamps (extension -1) as {"$timestamp": "<ISO-8601>"}.
 */
public class Msgpack {

    public static void main(String[] args) throws IOException {
        if (args.length != 1 || !(args[0].equals("encode") || args[0].equals("decode"))) {
            System.err.println("usage: java scripts/Msgpack.java encode|decode  (stdin -> stdout)");
            System.exit(2);
        }
        byte[] input = System.in.readAllBytes();
        if (args[0].equals("encode")) {
            Json json = new Json(new String(input, StandardCharsets.UTF_8));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            pack(out, json.value());
            System.out.write(out.toByteArray());
        } else {
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(input));
            System.out.println(toJson(unpack(in)));
        }
        System.out.flush();
    }

    // ---- MessagePack writer -------------------------------------------------------------------

    static void pack(ByteArrayOutputStream out, Object v) throws IOException {
        if (v == null) {
            out.write(0xc0);
        } else if (v instanceof Boolean b) {
            out.write(b ? 0xc3 : 0xc2);
        } else if (v instanceof Long n) {
            if (n >= 0 && n < 128) {
                out.write(n.intValue());
            } else if (n < 0 && n >= -32) {
                out.write(n.intValue() & 0xff);
            } else {
                out.write(0xd3);
                out.write(ByteBuffer.allocate(8).putLong(n).array());
            }
        } else if (v instanceof Double d) {
            out.write(0xcb);
            out.write(ByteBuffer.allocate(8).putDouble(d).array());
        } else if (v instanceof String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length < 32) {
                out.write(0xa0 | b.length);
            } else {
                out.write(0xdb);
                out.write(ByteBuffer.allocate(4).putInt(b.length).array());
            }
            out.write(b);
        } else if (v instanceof List<?> list) {
            out.write(0xdd);
            out.write(ByteBuffer.allocate(4).putInt(list.size()).array());
            for (Object item : list) {
                pack(out, item);
            }
        } else if (v instanceof Map<?, ?> map) {
            out.write(0xdf);
            out.write(ByteBuffer.allocate(4).putInt(map.size()).array());
            for (Map.Entry<?, ?> e : map.entrySet()) {
                pack(out, e.getKey());
                pack(out, e.getValue());
            }
        }
    }

    // ---- MessagePack reader -------------------------------------------------------------------

    static Object unpack(DataInputStream in) throws IOException {
        int b = in.readUnsignedByte();
        if (b <= 0x7f) return (long) b;
        if (b >= 0xe0) return (long) (byte) b;
        if ((b & 0xe0) == 0xa0) return str(in, b & 0x1f);
        if ((b & 0xf0) == 0x90) return array(in, b & 0x0f);
        if ((b & 0xf0) == 0x80) return map(in, b & 0x0f);
        switch (b) {
            case 0xc0: return null;
            case 0xc2: return false;
            case 0xc3: return true;
            case 0xcc: return (long) in.readUnsignedByte();
            case 0xcd: return (long) in.readUnsignedShort();
            case 0xce: return in.readInt() & 0xffffffffL;
            case 0xcf: return new BigInteger(Long.toUnsignedString(in.readLong()));
            case 0xd0: return (long) in.readByte();
            case 0xd1: return (long) in.readShort();
            case 0xd2: return (long) in.readInt();
            case 0xd3: return in.readLong();
            case 0xca: return (double) in.readFloat();
            case 0xcb: return in.readDouble();
            case 0xd9: return str(in, in.readUnsignedByte());
            case 0xda: return str(in, in.readUnsignedShort());
            case 0xdb: return str(in, in.readInt());
            case 0xc4: return "base64:" + java.util.Base64.getEncoder().encodeToString(in.readNBytes(in.readUnsignedByte()));
            case 0xc5: return "base64:" + java.util.Base64.getEncoder().encodeToString(in.readNBytes(in.readUnsignedShort()));
            case 0xc6: return "base64:" + java.util.Base64.getEncoder().encodeToString(in.readNBytes(in.readInt()));
            case 0xdc: return array(in, in.readUnsignedShort());
            case 0xdd: return array(in, in.readInt());
            case 0xde: return map(in, in.readUnsignedShort());
            case 0xdf: return map(in, in.readInt());
            case 0xd4: return ext(in, 1);
            case 0xd5: return ext(in, 2);
            case 0xd6: return ext(in, 4);
            case 0xd7: return ext(in, 8);
            case 0xd8: return ext(in, 16);
            case 0xc7: return ext(in, in.readUnsignedByte());
            case 0xc8: return ext(in, in.readUnsignedShort());
            case 0xc9: return ext(in, in.readInt());
            default: throw new IOException("not MessagePack: byte 0x" + Integer.toHexString(b));
        }
    }

    static String str(DataInputStream in, int n) throws IOException {
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }

    static List<Object> array(DataInputStream in, int n) throws IOException {
        List<Object> list = new ArrayList<>();
        for (int i = 0; i < n; i++) list.add(unpack(in));
        return list;
    }

    static Map<String, Object> map(DataInputStream in, int n) throws IOException {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) map.put(String.valueOf(unpack(in)), unpack(in));
        return map;
    }

    static Object ext(DataInputStream in, int n) throws IOException {
        byte type = in.readByte();
        ByteBuffer data = ByteBuffer.wrap(in.readNBytes(n));
        if (type != -1) return Map.of("$ext", (long) type);
        Instant t = switch (n) {
            case 4 -> Instant.ofEpochSecond(data.getInt() & 0xffffffffL);
            case 8 -> { long v = data.getLong(); yield Instant.ofEpochSecond(v & 0x3ffffffffL, v >>> 34); }
            default -> { int nanos = data.getInt(); yield Instant.ofEpochSecond(data.getLong(), nanos); }
        };
        return Map.of("$timestamp", t.toString());
    }

    // ---- JSON -----------------------------------------------------------------------------------

    static String toJson(Object v) {
        if (v == null) return "null";
        if (v instanceof String s) return quote(s);
        if (v instanceof List<?> list) {
            List<String> parts = new ArrayList<>();
            for (Object o : list) parts.add(toJson(o));
            return "[" + String.join(",", parts) + "]";
        }
        if (v instanceof Map<?, ?> map) {
            List<String> parts = new ArrayList<>();
            for (Map.Entry<?, ?> e : map.entrySet()) parts.add(quote(String.valueOf(e.getKey())) + ":" + toJson(e.getValue()));
            return "{" + String.join(",", parts) + "}";
        }
        return String.valueOf(v);
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    /** A small recursive-descent JSON reader: objects, arrays, strings, numbers, true/false/null. */
    static final class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        Object value() {
            ws();
            char c = s.charAt(i);
            if (c == '{') {
                i++;
                Map<String, Object> map = new LinkedHashMap<>();
                ws();
                if (s.charAt(i) == '}') { i++; return map; }
                while (true) {
                    ws();
                    String key = (String) value();
                    ws(); expect(':');
                    map.put(key, value());
                    ws();
                    if (s.charAt(i) == ',') { i++; continue; }
                    expect('}');
                    return map;
                }
            }
            if (c == '[') {
                i++;
                List<Object> list = new ArrayList<>();
                ws();
                if (s.charAt(i) == ']') { i++; return list; }
                while (true) {
                    list.add(value());
                    ws();
                    if (s.charAt(i) == ',') { i++; continue; }
                    expect(']');
                    return list;
                }
            }
            if (c == '"') {
                StringBuilder b = new StringBuilder();
                i++;
                while (s.charAt(i) != '"') {
                    char ch = s.charAt(i++);
                    if (ch == '\\') {
                        char e = s.charAt(i++);
                        switch (e) {
                            case 'n' -> b.append('\n');
                            case 't' -> b.append('\t');
                            case 'r' -> b.append('\r');
                            case 'b' -> b.append('\b');
                            case 'f' -> b.append('\f');
                            case 'u' -> { b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; }
                            default -> b.append(e);
                        }
                    } else {
                        b.append(ch);
                    }
                }
                i++;
                return b.toString();
            }
            if (s.startsWith("true", i)) { i += 4; return true; }
            if (s.startsWith("false", i)) { i += 5; return false; }
            if (s.startsWith("null", i)) { i += 4; return null; }
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            String n = s.substring(start, i);
            return n.matches("-?\\d+") ? (Object) Long.parseLong(n) : (Object) Double.parseDouble(n);
        }

        private void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }

        private void expect(char c) {
            if (s.charAt(i) != c) throw new IllegalArgumentException("expected '" + c + "' at " + i);
            i++;
        }
    }
}
