package dev.hookhub.negotiation;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What a native image needs for msgpack-core, which ships no native-image configuration: MessageBuffer's
 * static initialiser picks a buffer class by name and builds it through its package-private constructor.
 * That initialiser also reads Unsafe offsets, so the buffer classes are initialised at run time
 * (quarkus.native.additional-build-args in application.properties).
 */
@RegisterForReflection(classNames = {"org.msgpack.core.buffer.MessageBufferU", "org.msgpack.core.buffer.MessageBufferBE"})
final class MsgpackNativeImage {

    private MsgpackNativeImage() {
    }
}
