package org.imprint.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.imprint.tensor.DType;
import org.imprint.tensor.Tensor;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0).
 *
 * <p>Layout: the magic {@code \x93NUMPY}, a major and a minor version byte, the header length as a
 * little-endian u16 (v1) or u32 (v2, v3), then the header: a Python dict literal such as
 * <code>{'descr': '&lt;f8', 'fortran_order': False, 'shape': (3, 4), }</code> padded with spaces and a final
 * newline so that the data starts on a 64-byte boundary; then the raw data, exactly
 * {@code prod(shape) × itemsize} bytes.
 *
 * <p>Readable dtypes: {@code <f8} and {@code <f4} (kept as F64 and F32 tensors); {@code |u1}, {@code |i1},
 * {@code |b1}, {@code <i4}, {@code <i8} (as F64 values; 64-bit integers only if |v| ≤ 2⁵³). Refused with a
 * clear message: Fortran order, big-endian data, object and structured dtypes, anything else. Written:
 * {@code <f8} or {@code <f4}, version 1.0 (2.0 if the header needs it), C order, atomically.
 */
public final class Npy {
    private Npy() {}

    /** A decoded array: its NumPy dtype string ({@code descr}), shape, and values. */
    public record NpyArray(String descr, int[] shape, Tensor tensor) {
        /** True for the integer and bool dtypes. */
        public boolean isInteger() {
            return !descr.endsWith("f8") && !descr.endsWith("f4");
        }
    }

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Map<String, Integer> ITEM = new LinkedHashMap<>();

    static {
        ITEM.put("<f8", 8);
        ITEM.put("<f4", 4);
        ITEM.put("|u1", 1);
        ITEM.put("|i1", 1);
        ITEM.put("|b1", 1);
        ITEM.put("<i4", 4);
        ITEM.put("<i8", 8);
    }

    /** Reads an array as a tensor (F64 for {@code <f8} and integers, F32 for {@code <f4}). */
    public static Tensor read(Path path) {
        return readArray(path).tensor();
    }

    /**
     * Reads a vector of integer labels: shape (n) or (n, 1); any readable dtype whose values are all integers
     * in the int range (so float files of whole numbers are accepted).
     */
    public static int[] readLabels(Path path) {
        NpyArray a = readArray(path);
        int[] s = a.shape();
        if (!(s.length == 1 || (s.length == 2 && s[1] == 1))) {
            throw new BadInputException(path + ": labels must be a vector of shape (n,), got shape " + shapeStr(s));
        }
        int[] out = new int[a.tensor().size()];
        for (int i = 0; i < out.length; i++) {
            double v = a.tensor().getFlat(i);
            if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
                throw new BadInputException(path + ": label " + i + " is " + v + ", not an integer");
            }
            out[i] = (int) v;
        }
        return out;
    }

    /** Reads and validates an array with its NumPy dtype and shape. */
    public static NpyArray readArray(Path path) {
        try (MappedFile f = MappedFile.open(path)) {
            long size = f.size();
            if (size < 10 || !Arrays.equals(f.bytes(0, 6), MAGIC)) {
                throw bad(path, "not a .npy file (no \\x93NUMPY magic)");
            }
            int major = f.seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 6) & 0xff;
            long headerLen;
            long start;
            if (major == 1) {
                headerLen = f.seg.get(MappedFile.I16, 8) & 0xffff;
                start = 10;
            } else if (major == 2 || major == 3) {
                if (size < 12) throw bad(path, "truncated .npy preamble");
                headerLen = f.seg.get(MappedFile.I32, 8) & 0xffffffffL;
                start = 12;
            } else {
                throw bad(path, "unsupported .npy format version " + major + " (readable: 1, 2, 3)");
            }
            if (start + headerLen > size) throw bad(path, "truncated: the header runs past the end of the file");
            String header = new String(f.bytes(start, (int) headerLen),
                    major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            Map<String, Object> dict = new HeaderParser(path, header).parseDict();
            Object descr = dict.get("descr");
            Object fortran = dict.get("fortran_order");
            Object shapeObj = dict.get("shape");
            if (descr == null || fortran == null || shapeObj == null) {
                throw bad(path, "the header lacks 'descr', 'fortran_order' or 'shape': " + header.strip());
            }
            if (!(descr instanceof String d)) throw bad(path, "structured dtypes are not supported (descr " + descr + ")");
            if (!(fortran instanceof Boolean fo)) throw bad(path, "fortran_order is not True or False");
            if (fo) throw bad(path, "Fortran-order arrays are not supported; save with np.ascontiguousarray(a)");
            if (!(shapeObj instanceof int[] shape)) throw bad(path, "shape is not a tuple of integers");
            String dtype = normalise(path, d);
            int item = ITEM.get(dtype);
            long count = 1;
            for (int s : shape) count *= s;
            if (count > Integer.MAX_VALUE - 8) throw bad(path, "has " + count + " elements, more than a Java array holds");
            long dataStart = start + headerLen;
            long expected = count * item;
            long actual = size - dataStart;
            if (actual < expected) {
                throw bad(path, "truncated: shape " + shapeStr(shape) + " of " + dtype + " needs " + expected
                        + " data bytes, the file has " + actual);
            }
            if (actual > expected) {
                throw bad(path, "has " + (actual - expected) + " unexpected bytes after the data of shape " + shapeStr(shape));
            }
            int n = (int) count;
            Tensor t = switch (dtype) {
                case "<f8" -> Tensor.of(f.doubles(dataStart, n), shape);
                case "<f4" -> Tensor.of(f.floats(dataStart, n), shape);
                default -> Tensor.of(integers(path, f, dataStart, n, dtype), shape);
            };
            return new NpyArray(dtype, shape.clone(), t);
        }
    }

    private static double[] integers(Path path, MappedFile f, long at, int n, String dtype) {
        double[] out = new double[n];
        switch (dtype) {
            case "|u1", "|b1" -> { byte[] b = f.bytes(at, n); for (int i = 0; i < n; i++) out[i] = b[i] & 0xff; }
            case "|i1" -> { byte[] b = f.bytes(at, n); for (int i = 0; i < n; i++) out[i] = b[i]; }
            case "<i4" -> { int[] v = f.ints(at, n); for (int i = 0; i < n; i++) out[i] = v[i]; }
            case "<i8" -> {
                long[] v = f.longs(at, n);
                for (int i = 0; i < n; i++) {
                    if (Math.abs((double) v[i]) > 9007199254740992.0) {
                        throw bad(path, "value " + v[i] + " at flat index " + i + " cannot be represented exactly as float64");
                    }
                    out[i] = v[i];
                }
            }
            default -> throw new IllegalStateException(dtype);
        }
        return out;
    }

    /** Maps equivalent spellings ({@code =f8}, {@code <u1}, {@code b1}) to the canonical descr or refuses. */
    private static String normalise(Path path, String d) {
        if (d.isEmpty()) throw bad(path, "empty dtype descr");
        char order = d.charAt(0);
        String code = "<>|=!".indexOf(order) >= 0 ? d.substring(1) : d;
        if (code.startsWith("O")) throw bad(path, "object arrays (dtype " + d + ") are not supported");
        boolean single = code.equals("u1") || code.equals("i1") || code.equals("b1");
        if ((order == '>' || order == '!') && !single) {
            throw bad(path, "big-endian data (dtype '" + d + "') is not supported; save with a.astype('<" + code + "')");
        }
        if (order == '=' && ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN && !single) {
            throw bad(path, "native-order dtype '" + d + "' on a big-endian machine is not supported");
        }
        String canonical = (single ? "|" : "<") + code;
        if (!ITEM.containsKey(canonical)) {
            throw bad(path, "unsupported dtype '" + d + "' (readable: <f8, <f4, |u1, |i1, |b1, <i4, <i8)");
        }
        return canonical;
    }

    /** Writes an F64 ({@code <f8}) or F32 ({@code <f4}) tensor in C order to {@code path}, atomically. */
    public static void write(Path path, Tensor t) {
        String descr = t.dtype() == DType.F64 ? "<f8" : "<f4";
        byte[] pre = preamble(descr, t.shape());
        AtomicFiles.write(path, out -> {
            out.write(pre);
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            int size = t.size();
            if (t.dtype() == DType.F64) {
                double[] a = t.doubleData();
                for (int i = 0; i < size; ) {
                    int n = Math.min(size - i, buf.capacity() / 8);
                    buf.clear();
                    buf.asDoubleBuffer().put(a, i, n);
                    out.write(buf.array(), 0, n * 8);
                    i += n;
                }
            } else {
                float[] a = t.floatData();
                for (int i = 0; i < size; ) {
                    int n = Math.min(size - i, buf.capacity() / 4);
                    buf.clear();
                    buf.asFloatBuffer().put(a, i, n);
                    out.write(buf.array(), 0, n * 4);
                    i += n;
                }
            }
        });
    }

    /** Magic, version, header length and the padded header, exactly as {@code numpy.save} writes them. */
    static byte[] preamble(String descr, int[] shape) {
        StringBuilder sb = new StringBuilder("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) sb.append(i > 0 ? ", " : "").append(shape[i]);
        if (shape.length == 1) sb.append(',');
        sb.append("), }");
        int version = sb.length() + 1 + 10 > 65535 ? 2 : 1;
        int pre = version == 1 ? 10 : 12;
        int total = (pre + sb.length() + 1 + 63) / 64 * 64;
        while (sb.length() + 1 + pre < total) sb.append(' ');
        sb.append('\n');
        byte[] header = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(MAGIC);
        out.write(version);
        out.write(0);
        ByteBuffer len = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(header.length);
        out.write(len.array(), 0, version == 1 ? 2 : 4);
        out.writeBytes(header);
        return out.toByteArray();
    }

    private static String shapeStr(int[] s) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < s.length; i++) sb.append(i > 0 ? ", " : "").append(s[i]);
        return sb.append(s.length == 1 ? ",)" : ")").toString();
    }

    private static BadInputException bad(Path path, String what) {
        return new BadInputException(path + ": " + what);
    }

    /**
     * Parses the header's Python literal: a dict of string keys to strings, True/False, integers, or tuples of
     * integers (returned as {@code int[]}); a list value (a structured dtype) is returned as a List.
     */
    private static final class HeaderParser {
        private final Path path;
        private final String s;
        private int i;

        HeaderParser(Path path, String s) {
            this.path = path;
            this.s = s;
        }

        Map<String, Object> parseDict() {
            expect('{');
            Map<String, Object> out = new LinkedHashMap<>();
            while (true) {
                skip();
                if (peek() == '}') { i++; break; }
                Object key = value();
                if (!(key instanceof String k)) throw error("dict key is not a string");
                expect(':');
                out.put(k, value());
                skip();
                if (peek() == ',') { i++; continue; }
                expect('}');
                break;
            }
            skip();
            if (i != s.length()) throw error("unexpected text after the dict");
            return out;
        }

        private Object value() {
            skip();
            char c = peek();
            if (c == '\'' || c == '"') {
                int end = s.indexOf(c, i + 1);
                if (end < 0) throw error("unterminated string");
                String v = s.substring(i + 1, end);
                i = end + 1;
                return v;
            }
            if (s.startsWith("True", i)) { i += 4; return Boolean.TRUE; }
            if (s.startsWith("False", i)) { i += 5; return Boolean.FALSE; }
            if (c == '(') {
                i++;
                List<Integer> dims = new ArrayList<>();
                while (true) {
                    skip();
                    if (peek() == ')') { i++; break; }
                    Object v = value();
                    if (!(v instanceof Long l) || l < 0 || l > Integer.MAX_VALUE) throw error("shape entry is not a non-negative int");
                    dims.add((int) (long) l);
                    skip();
                    if (peek() == ',') { i++; continue; }
                    expect(')');
                    break;
                }
                return dims.stream().mapToInt(Integer::intValue).toArray();
            }
            if (c == '[') { // structured dtype: skip the balanced list
                int depth = 0;
                int start = i;
                do {
                    char ch = peek();
                    if (ch == '[' || ch == '(') depth++;
                    if (ch == ']' || ch == ')') depth--;
                    i++;
                } while (depth > 0);
                return List.of(s.substring(start, i));
            }
            int start = i;
            if (c == '-' || c == '+') i++;
            while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
            if (s.length() > i && s.charAt(i) == 'L') i++; // Python 2 long suffix
            String num = s.substring(start, i).replace("L", "");
            try {
                return Long.parseLong(num);
            } catch (NumberFormatException e) {
                throw error("unexpected character '" + c + "'");
            }
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }

        private char peek() {
            if (i >= s.length()) throw error("header ends early");
            return s.charAt(i);
        }

        private void expect(char c) {
            skip();
            if (peek() != c) throw error("expected '" + c + "' at column " + i);
            i++;
        }

        private BadInputException error(String what) {
            return bad(path, "bad header (" + what + "): " + s.strip());
        }
    }
}
