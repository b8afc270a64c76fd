package org.imprint.tensor;

/** Element type of a {@link Tensor}: IEEE-754 binary64 or binary32, stored row-major in a Java array. */
public enum DType {
    F64(8, "F64"),
    F32(4, "F32");

    /** Bytes per element. */
    public final int bytes;
    /** The safetensors dtype name. */
    public final String safetensorsName;

    DType(int bytes, String safetensorsName) {
        this.bytes = bytes;
        this.safetensorsName = safetensorsName;
    }
}
