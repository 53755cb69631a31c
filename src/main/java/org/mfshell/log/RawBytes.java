package org.mfshell.log;

import java.lang.reflect.Field;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Word loads from a direct or mapped buffer by address, without the bounds checks and the
 * per-class dispatch of {@link ByteBuffer#getLong(int)}: the inner loops of
 * {@link DeliveryScanner} read through here. {@link #ON} is false (and callers use the buffer's
 * own accessors) when sun.misc.Unsafe is missing, the platform is big-endian, or the Java is 23
 * or newer, where Unsafe's memory access is deprecated and would print a warning on later
 * releases. Callers keep their own slack: nothing here checks an address.
 */
final class RawBytes {
    static final boolean ON;
    private static final sun.misc.Unsafe U;
    private static final long ADDRESS;

    static {
        sun.misc.Unsafe u = null;
        long address = -1;
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN && Runtime.version().feature() <= 22) {
            try {
                Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
                f.setAccessible(true);
                u = (sun.misc.Unsafe) f.get(null);
                address = u.objectFieldOffset(Buffer.class.getDeclaredField("address"));
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                u = null;
            }
        }
        U = u;
        ADDRESS = address;
        ON = u != null;
    }

    private RawBytes() {
    }

    /** Address of a direct buffer's index 0; 0 when {@link #ON} is false. */
    static long address(ByteBuffer b) {
        return ON && b.isDirect() ? U.getLong(b, ADDRESS) : 0;
    }

    static long getLong(long address) {
        return U.getLong(address);
    }

    static byte getByte(long address) {
        return U.getByte(address);
    }
}
