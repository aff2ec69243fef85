package dev.hookhub.negotiation;

import dev.hookhub.HookhubConfig;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyReader;
import jakarta.ws.rs.ext.Provider;

import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;

/**
 * The body of a route that decodes it itself (forms, or one of several formats) as bytes: read after the
 * framework buffered it without blocking, held to the same limit (413) as every other body. Routes take
 * {@code byte[]}, never an {@link InputStream}, whose reads block the I/O thread once a body outgrows the
 * first buffer.
 */
@Provider
@Consumes(MediaType.WILDCARD)
public class RawBodyReader implements MessageBodyReader<byte[]> {

    private final int maxBodySize;

    public RawBodyReader(HookhubConfig config) {
        this.maxBodySize = config.maxBodySize();
    }

    @Override
    public boolean isReadable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return type == byte[].class;
    }

    @Override
    public byte[] readFrom(Class<byte[]> type, Type genericType, Annotation[] annotations, MediaType mediaType,
            MultivaluedMap<String, String> httpHeaders, InputStream entityStream) throws IOException {
        return BodyLimit.readAll(entityStream, maxBodySize);
    }
}
