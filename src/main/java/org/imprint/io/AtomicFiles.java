package org.imprint.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Atomic file writes: the content goes to a temporary file in the target's folder, is flushed to disk
 * ({@code fsync}), and is then renamed over the target with {@code ATOMIC_MOVE} and
 * {@code REPLACE_EXISTING}. A reader sees either the old file or the complete new one, never a partial
 * one, and a crash leaves at worst a stray {@code .<name>.*.tmp} file. Missing parent folders are
 * created. Any I/O failure becomes a {@link BadInputException} reading {@code cannot write <path>: <reason>}.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes the content through an output stream; the stream is buffered and must not be closed by the callback. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes {@code bytes} to {@code path} atomically. */
    public static void write(Path path, byte[] bytes) {
        write(path, out -> out.write(bytes));
    }

    /** Writes {@code text} as UTF-8 to {@code path} atomically. */
    public static void writeString(Path path, String text) {
        write(path, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes what {@code content} produces to {@code path} atomically. If the callback throws, the temporary
     * file is deleted, the target is left untouched, and the exception propagates (an {@link IOException}
     * as a {@link BadInputException}).
     */
    public static void write(Path path, Content content) {
        Path target = path.toAbsolutePath().normalize();
        Path dir = target.getParent();
        Path tmp = null;
        try {
            if (Files.isDirectory(target)) throw new BadInputException("cannot write " + path + ": it is a folder");
            Files.createDirectories(dir);
            // A fresh hidden name created with the process's default permissions (umask), not createTempFile's 0600.
            tmp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(System.nanoTime() ^ Thread.currentThread().threadId()) + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                content.writeTo(new OutputStream() { // shields the channel from an early close by the callback
                    @Override public void write(int b) throws IOException { out.write(b); }
                    @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); }
                    @Override public void flush() throws IOException { out.flush(); }
                });
                out.flush();
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
            syncFolder(dir);
        } catch (IOException e) {
            throw new BadInputException("cannot write " + path + ": " + reason(e), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the original failure is the one worth reporting
                }
            }
        }
    }

    /** Flushes the folder entry of the rename to disk where the platform allows opening a folder. */
    private static void syncFolder(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not supported on every platform (e.g. Windows); the file itself is already on disk
        }
    }

    /** A short human reason for an I/O failure (the JDK's messages for these are often just the path). */
    static String reason(IOException e) {
        if (e instanceof AccessDeniedException a) return "permission denied" + where(a);
        if (e instanceof NoSuchFileException n) return "no such file or folder" + where(n);
        if (e instanceof FileAlreadyExistsException f) return "a file is in the way" + where(f);
        if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason().strip() + where(f);
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m).strip();
    }

    private static String where(FileSystemException e) {
        return e.getFile() == null ? "" : " (" + e.getFile() + ")";
    }
}
