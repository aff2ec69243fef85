package dev.hookhub.negotiation;

import dev.hookhub.HookhubConfig;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyReader;
import jakarta.ws.rs.ext.MessageBodyWriter;
import jakarta.ws.rs.ext.Provider;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;

/**
 * Reads JSON and MessagePack request bodies into the same DTOs, and writes MessagePack responses.
 * Both formats get the same body limit (413) and the same 400s for malformed, truncated or wrongly
 * typed input, whether or not the client sent a Content-Length.
 */
@Provider
@Consumes(MediaType.WILDCARD)
@Produces(WireFormat.MSGPACK_TYPE)
public class WireBodyProvider implements MessageBodyReader<Object>, MessageBodyWriter<Object> {

    private final WireCodecs codecs;
    private final int maxBodySize;

    public WireBodyProvider(WireCodecs codecs, HookhubConfig config) {
        this.codecs = codecs;
        this.maxBodySize = config.maxBodySize();
    }

    @Override
    public boolean isReadable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return type != String.class && type != byte[].class && !InputStream.class.isAssignableFrom(type);
    }

    @Override
    public Object readFrom(Class<Object> type, Type genericType, Annotation[] annotations, MediaType mediaType,
            MultivaluedMap<String, String> httpHeaders, InputStream entityStream) throws IOException {
        WireFormat format = readFormat(mediaType);
        if (format == null) {
            // A wildcard or another type that a route's @Consumes let through: no other reader guesses its format.
            throw new ProblemException(Problem.of(415, "Unsupported Media Type", "Content-Type '" + mediaType
                    + "' is not supported: send application/json or application/x-msgpack"));
        }
        byte[] body = BodyLimit.readAll(entityStream, maxBodySize);
        return codecs.readBody(format, body, genericType != null ? genericType : type);
    }

    private static WireFormat readFormat(MediaType mediaType) {
        if (mediaType == null) {
            return null;
        }
        if (WireFormat.isMsgpack(mediaType)) {
            return WireFormat.MSGPACK;
        }
        return mediaType.getType().equalsIgnoreCase("application") && mediaType.getSubtype().equalsIgnoreCase("json")
                ? WireFormat.JSON : null;
    }

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return WireFormat.isMsgpack(mediaType);
    }

    @Override
    public void writeTo(Object value, Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType,
            MultivaluedMap<String, Object> httpHeaders, OutputStream entityStream) throws IOException {
        codecs.msgpack().writeValue(entityStream, value);
    }
}
