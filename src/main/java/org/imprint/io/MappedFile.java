package org.imprint.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A read-only memory map of a whole file with little-endian bulk readers; closing it unmaps the file at
 * once (confined arena). Shared by the binary readers of this package.
 */
final class MappedFile implements AutoCloseable {
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    final Path path;
    final MemorySegment seg;
    private final Arena arena;

    private MappedFile(Path path, Arena arena, MemorySegment seg) {
        this.path = path;
        this.arena = arena;
        this.seg = seg;
    }

    static MappedFile open(Path path) {
        if (Files.isDirectory(path)) throw new BadInputException("cannot read " + path + ": it is a folder");
        Arena arena = Arena.ofConfined();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            MemorySegment seg = size == 0 ? MemorySegment.ofArray(new byte[0])
                                          : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return new MappedFile(path, arena, seg);
        } catch (IOException e) {
            arena.close();
            throw cannotRead(path, e);
        }
    }

    /** The one-line error for a file that cannot be opened or read. */
    static BadInputException cannotRead(Path path, IOException e) {
        if (e instanceof NoSuchFileException) return new BadInputException("cannot read " + path + ": no such file", e);
        if (e instanceof AccessDeniedException) return new BadInputException("cannot read " + path + ": permission denied", e);
        return new BadInputException("cannot read " + path + ": " + AtomicFiles.reason(e), e);
    }

    long size() {
        return seg.byteSize();
    }

    byte[] bytes(long offset, int n) {
        byte[] out = new byte[n];
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, offset, out, 0, n);
        return out;
    }

    double[] doubles(long offset, int n) {
        double[] out = new double[n];
        MemorySegment.copy(seg, F64, offset, out, 0, n);
        return out;
    }

    float[] floats(long offset, int n) {
        float[] out = new float[n];
        MemorySegment.copy(seg, F32, offset, out, 0, n);
        return out;
    }

    long[] longs(long offset, int n) {
        long[] out = new long[n];
        MemorySegment.copy(seg, I64, offset, out, 0, n);
        return out;
    }

    int[] ints(long offset, int n) {
        int[] out = new int[n];
        MemorySegment.copy(seg, I32, offset, out, 0, n);
        return out;
    }

    short[] shorts(long offset, int n) {
        short[] out = new short[n];
        MemorySegment.copy(seg, I16, offset, out, 0, n);
        return out;
    }

    @Override
    public void close() {
        arena.close();
    }
}
