package cpi.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;

/** bfloat16 <-> float32 in Java (DJL's PyTorch binding cannot create bf16 tensors from buffers). */
final class Bf16 {
    private Bf16() {}

    static float[] toFloat(ShortBuffer src, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = Float.intBitsToFloat((src.get(i) & 0xFFFF) << 16);
        }
        return out;
    }

    /** Little-endian bf16 bytes, rounded to nearest even like torch's float -> bfloat16 cast. */
    static byte[] fromFloat(float[] src) {
        ByteBuffer out = ByteBuffer.allocate(src.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : src) {
            int bits = Float.floatToRawIntBits(f);
            short h;
            if (Float.isNaN(f)) {
                h = (short) 0x7FC0;
            } else {
                int rounding = 0x7FFF + ((bits >>> 16) & 1);
                h = (short) ((bits + rounding) >>> 16);
            }
            out.putShort(h);
        }
        return out.array();
    }
}
