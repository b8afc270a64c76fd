package org.imprint.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.imprint.tensor.DType;
import org.imprint.tensor.Tensor;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format.
 *
 * <p>Layout: an unsigned 64-bit little-endian header length {@code N}; {@code N} bytes of UTF-8 JSON that
 * begin with <code>{</code> and may end in spaces; then the data buffer. The JSON maps each tensor name to
 * <code>{"dtype":"F64","shape":[…],"data_offsets":[begin,end]}</code>, offsets in bytes relative to the
 * start of the buffer, and may hold a {@code "__metadata__"} string→string map. Data is little-endian in C
 * (row-major) order; the tensors tile the buffer exactly (no holes, no overlaps).
 *
 * <p>Writing follows the reference writer ({@code safetensors/src/tensor.rs}) byte for byte: compact JSON
 * with {@code __metadata__} first (omitted when empty; its keys sorted, so output does not depend on map
 * iteration order), tensors ordered by descending dtype (F64 before F32) and then by name (UTF-8 byte
 * order), the header padded with spaces to a multiple of 8 bytes.
 *
 * <p>Reading gives F64 and F32 as they are; F16 and BF16 are widened to F32 exactly; the integer and bool
 * dtypes (I8, U8, I16, U16, I32, U32, I64, U64, BOOL) become F64 values (64-bit integers only if exactly
 * representable, |v| ≤ 2⁵³). Other dtypes (F8, F6, F4, complex) are refused. Every structural problem is a
 * {@link BadInputException} naming the file.
 */
public final class Safetensors {
    private Safetensors() {}

    /** The reference implementation's cap on the JSON header size. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    /** A stored dtype: element bytes and its rank in the reference writer's dtype order. */
    private record StoredType(String name, int bytes, int order) {}

    private static final Map<String, StoredType> TYPES = new LinkedHashMap<>();
    private static final List<String> UNSUPPORTED =
            List.of("F8_E5M2", "F8_E4M3", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64", "E8M0");

    static {
        // order = position in the reference crate's Dtype enum (BOOL < … < F32 < F64 < I64 < U64)
        String[] names = {"BOOL", "U8", "I8", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"};
        int[] bytes = {1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 8, 8, 8};
        for (int i = 0; i < names.length; i++) TYPES.put(names[i], new StoredType(names[i], bytes[i], i));
    }

    private static final ObjectMapper JSON = new ObjectMapper(
            JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    // ================================================================== writing

    /** Writes {@code tensors} with no metadata. */
    public static void write(Path path, Map<String, Tensor> tensors) {
        write(path, tensors, Map.of());
    }

    /**
     * Writes {@code tensors} and {@code metadata} (may be null or empty) to {@code path} atomically. Names must
     * be non-empty and not {@code __metadata__}. The tensors' current values are written (autograd state is
     * ignored).
     */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) {
        List<Map.Entry<String, Tensor>> order = sortedForWriting(tensors);
        byte[] header = header(order, metadata);
        AtomicFiles.write(path, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            out.write(len.array());
            out.write(header);
            for (Map.Entry<String, Tensor> e : order) writeData(out, e.getValue());
        });
    }

    /** The tensors in the reference writer's order: descending dtype, then name by UTF-8 bytes. */
    static List<Map.Entry<String, Tensor>> sortedForWriting(Map<String, Tensor> tensors) {
        List<Map.Entry<String, Tensor>> order = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null || name.isEmpty() || name.equals("__metadata__")) {
                throw new IllegalArgumentException("invalid safetensors tensor name '" + name + "'");
            }
            if (e.getValue() == null) throw new IllegalArgumentException("tensor '" + name + "' is null");
            order.add(Map.entry(name, e.getValue()));
        }
        order.sort(Comparator.<Map.Entry<String, Tensor>>comparingInt(e -> -TYPES.get(e.getValue().dtype().safetensorsName).order())
                .thenComparing(e -> e.getKey().getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned));
        return order;
    }

    /** The padded JSON header for tensors already in writing order. */
    static byte[] header(List<Map.Entry<String, Tensor>> order, Map<String, String> metadata) {
        ObjectNode root = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = root.putObject("__metadata__");
            for (Map.Entry<String, String> m : new TreeMap<>(metadata).entrySet()) {
                if (m.getValue() == null) throw new IllegalArgumentException("metadata '" + m.getKey() + "' is null");
                meta.put(m.getKey(), m.getValue());
            }
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : order) {
            Tensor t = e.getValue();
            ObjectNode info = root.putObject(e.getKey());
            info.put("dtype", t.dtype().safetensorsName);
            ArrayNode shape = info.putArray("shape");
            for (int s : t.shape()) shape.add(s);
            long bytes = (long) t.size() * t.dtype().bytes;
            info.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a safetensors header", e);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static void writeData(OutputStream out, Tensor t) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        if (t.dtype() == DType.F64) {
            double[] a = t.doubleData();
            for (int i = 0; i < a.length; ) {
                int n = Math.min(a.length - i, buf.capacity() / 8);
                buf.clear();
                buf.asDoubleBuffer().put(a, i, n);
                out.write(buf.array(), 0, n * 8);
                i += n;
            }
        } else {
            float[] a = t.floatData();
            for (int i = 0; i < a.length; ) {
                int n = Math.min(a.length - i, buf.capacity() / 4);
                buf.clear();
                buf.asFloatBuffer().put(a, i, n);
                out.write(buf.array(), 0, n * 4);
                i += n;
            }
        }
    }

    // ================================================================== reading

    private record Entry(String name, StoredType type, int[] shape, long begin, long end) {}

    /** Reads and validates a safetensors file (memory-mapped; the map is released before returning). */
    public static SafetensorsFile read(Path path) {
        try (MappedFile f = MappedFile.open(path)) {
            long size = f.size();
            if (size < 8) throw bad(path, "truncated: " + size + " bytes, too short for the 8-byte header length");
            long n = f.seg.get(MappedFile.I64, 0);
            if (n < 0 || n > MAX_HEADER_BYTES) {
                throw bad(path, "header length " + Long.toUnsignedString(n) + " exceeds the 100 MB limit (not a safetensors file?)");
            }
            if (8 + n > size) {
                throw bad(path, "header length " + n + " runs past the end of the file (" + size + " bytes): truncated or not safetensors");
            }
            byte[] headerBytes = f.bytes(8, (int) n);
            if (n < 2 || headerBytes[0] != '{') throw bad(path, "the header does not begin with '{' (not a safetensors file?)");
            JsonNode root;
            try {
                root = JSON.readTree(headerBytes);
            } catch (JsonProcessingException e) {
                String msg = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
                throw bad(path, "bad JSON header: " + msg.lines().findFirst().orElse(msg));
            } catch (IOException e) {
                throw bad(path, "bad JSON header: " + AtomicFiles.reason(e));
            }
            if (root == null || !root.isObject()) throw bad(path, "the header is not a JSON object");

            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getKey().equals("__metadata__")) {
                    readMetadata(path, field.getValue(), metadata);
                } else {
                    entries.add(entry(path, field.getKey(), field.getValue()));
                }
            }
            long buffer = size - 8 - n;
            checkLayout(path, entries, buffer);

            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Entry e : entries) tensors.put(e.name(), load(path, f, 8 + n + e.begin(), e));
            return new SafetensorsFile(tensors, metadata, path);
        }
    }

    private static void readMetadata(Path path, JsonNode node, Map<String, String> out) {
        if (node.isNull()) return;
        if (!node.isObject()) throw bad(path, "__metadata__ is not a JSON object");
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> m = it.next();
            if (!m.getValue().isTextual()) throw bad(path, "__metadata__ value of '" + m.getKey() + "' is not a string");
            out.put(m.getKey(), m.getValue().textValue());
        }
    }

    private static Entry entry(Path path, String name, JsonNode info) {
        String what = "tensor '" + name + "'";
        if (!info.isObject()) throw bad(path, what + " is not described by a JSON object");
        JsonNode dt = info.get("dtype");
        if (dt == null || !dt.isTextual()) throw bad(path, what + " has no dtype string");
        String dtype = dt.textValue();
        StoredType type = TYPES.get(dtype);
        if (type == null) {
            throw bad(path, what + (UNSUPPORTED.contains(dtype) ? " has unsupported dtype " : " has unknown dtype ") + dtype
                    + " (readable: " + String.join(", ", TYPES.keySet()) + ")");
        }
        JsonNode sh = info.get("shape");
        if (sh == null || !sh.isArray()) throw bad(path, what + " has no shape array");
        int[] shape = new int[sh.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode s = sh.get(i);
            if (!s.isIntegralNumber() || !s.canConvertToLong() || s.longValue() < 0 || s.longValue() > Integer.MAX_VALUE) {
                throw bad(path, what + " has an invalid shape " + sh);
            }
            shape[i] = s.intValue();
            count = count > 0 && shape[i] > (Long.MAX_VALUE / 16) / count ? Long.MAX_VALUE / 16 : count * shape[i];
        }
        JsonNode off = info.get("data_offsets");
        if (off == null || !off.isArray() || off.size() != 2) throw bad(path, what + " has no data_offsets pair");
        for (JsonNode o : off) {
            if (!o.isIntegralNumber() || !o.canConvertToLong() || o.longValue() < 0) {
                throw bad(path, what + " has invalid data_offsets " + off);
            }
        }
        long begin = off.get(0).longValue(), end = off.get(1).longValue();
        if (end < begin) throw bad(path, what + " has data_offsets " + off + " that end before they begin");
        long bytes = count * type.bytes();
        if (bytes != end - begin) {
            throw bad(path, what + " of dtype " + dtype + " and shape " + Arrays.toString(shape) + " needs " + bytes
                    + " bytes but its data_offsets " + off + " span " + (end - begin));
        }
        if (count > Integer.MAX_VALUE - 8) throw bad(path, what + " has " + count + " elements, more than a Java array holds");
        return new Entry(name, type, shape, begin, end);
    }

    /** Offsets must tile [0, buffer) exactly: sorted by offsets, each begins where the previous ended. */
    private static void checkLayout(Path path, List<Entry> entries, long buffer) {
        for (Entry e : entries) {
            if (e.end() > buffer) {
                throw bad(path, "tensor '" + e.name() + "' data_offsets [" + e.begin() + ", " + e.end()
                        + "] run past the end of the data buffer (" + buffer + " bytes): truncated file or bad offsets");
            }
        }
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long cursor = 0;
        String previous = null;
        for (Entry e : entries) {
            if (e.begin() < cursor) {
                throw bad(path, "tensor '" + e.name() + "' data_offsets [" + e.begin() + ", " + e.end()
                        + "] overlap those of '" + previous + "'");
            }
            if (e.begin() > cursor) {
                throw bad(path, "hole in the data buffer: bytes " + cursor + ".." + e.begin() + " belong to no tensor");
            }
            cursor = e.end();
            previous = e.name();
        }
        if (cursor != buffer) {
            throw bad(path, "the data buffer has " + (buffer - cursor) + " bytes after the last tensor (" + buffer
                    + " bytes, tensors cover " + cursor + ")");
        }
    }

    private static final double EXACT = 9007199254740992.0; // 2^53

    private static Tensor load(Path path, MappedFile f, long at, Entry e) {
        int n = (int) ((e.end() - e.begin()) / e.type().bytes());
        int[] shape = e.shape();
        switch (e.type().name()) {
            case "F64":
                return Tensor.of(f.doubles(at, n), shape);
            case "F32":
                return Tensor.of(f.floats(at, n), shape);
            case "F16": {
                short[] s = f.shorts(at, n);
                float[] out = new float[n];
                for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(s[i]);
                return Tensor.of(out, shape);
            }
            case "BF16": {
                short[] s = f.shorts(at, n);
                float[] out = new float[n];
                for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((s[i] & 0xffff) << 16);
                return Tensor.of(out, shape);
            }
            default:
                break;
        }
        double[] out = new double[n];
        switch (e.type().name()) {
            case "BOOL", "U8" -> { byte[] b = f.bytes(at, n); for (int i = 0; i < n; i++) out[i] = b[i] & 0xff; }
            case "I8" -> { byte[] b = f.bytes(at, n); for (int i = 0; i < n; i++) out[i] = b[i]; }
            case "I16" -> { short[] s = f.shorts(at, n); for (int i = 0; i < n; i++) out[i] = s[i]; }
            case "U16" -> { short[] s = f.shorts(at, n); for (int i = 0; i < n; i++) out[i] = s[i] & 0xffff; }
            case "I32" -> { int[] s = f.ints(at, n); for (int i = 0; i < n; i++) out[i] = s[i]; }
            case "U32" -> { int[] s = f.ints(at, n); for (int i = 0; i < n; i++) out[i] = s[i] & 0xffffffffL; }
            case "I64", "U64" -> {
                long[] s = f.longs(at, n);
                boolean unsigned = e.type().name().equals("U64");
                for (int i = 0; i < n; i++) {
                    double v = unsigned && s[i] < 0 ? Long.MAX_VALUE : s[i];
                    if (Math.abs(v) > EXACT) {
                        throw bad(path, "tensor '" + e.name() + "' (" + e.type().name() + ") holds "
                                + (unsigned ? Long.toUnsignedString(s[i]) : Long.toString(s[i]))
                                + ", which float64 cannot represent exactly");
                    }
                    out[i] = v;
                }
            }
            default -> throw new IllegalStateException(e.type().name());
        }
        return Tensor.of(out, shape);
    }

    private static BadInputException bad(Path path, String what) {
        return new BadInputException(path + ": " + what);
    }
}
