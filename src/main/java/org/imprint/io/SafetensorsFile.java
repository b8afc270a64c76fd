package org.imprint.io;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.imprint.tensor.Tensor;

/**
 * The contents of a safetensors file: its tensors in the order of their data in the file (which is the
 * header order for files written by the reference writer), its {@code __metadata__} string map (empty when
 * the file has none), and the path it was read from (null for one built in memory). Both maps are
 * unmodifiable.
 */
public record SafetensorsFile(Map<String, Tensor> tensors, Map<String, String> metadata, Path path) {
    public SafetensorsFile {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata == null ? Map.of() : metadata));
    }

    /** Contents that were not read from a file. */
    public SafetensorsFile(Map<String, Tensor> tensors, Map<String, String> metadata) {
        this(tensors, metadata, null);
    }

    /** True if the file holds a tensor of this name. */
    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    /** The tensor of this name; a {@link BadInputException} naming the file and the names it has if absent. */
    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new BadInputException(where() + " has no tensor '" + name + "' (it has: "
                    + (tensors.isEmpty() ? "none" : String.join(", ", tensors.keySet())) + ")");
        }
        return t;
    }

    /** The tensor of this name, which must have exactly this shape. */
    public Tensor tensor(String name, int... shape) {
        Tensor t = tensor(name);
        if (!Arrays.equals(t.shape(), shape)) {
            throw new BadInputException(where() + ": tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(shape));
        }
        return t;
    }

    /** A metadata value; a {@link BadInputException} naming the file if the key is absent. */
    public String meta(String key) {
        String v = metadata.get(key);
        if (v == null) throw new BadInputException(where() + " has no metadata entry '" + key + "'");
        return v;
    }

    private String where() {
        return path == null ? "safetensors data" : path.toString();
    }
}
