package org.imprint.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path tmp;

    @Test
    void writesCreatesParentsAndReplaces() throws IOException {
        Path p = tmp.resolve("a/b/c.txt");
        AtomicFiles.writeString(p, "one");
        assertEquals("one", Files.readString(p));
        AtomicFiles.write(p, out -> out.write("two".getBytes()));
        assertEquals("two", Files.readString(p));
        try (Stream<Path> s = Files.list(p.getParent())) {
            assertEquals(1, s.count(), "no temporary files left behind");
        }
    }

    @Test
    void failedCallbackLeavesTargetAndNoTemp() throws IOException {
        Path p = tmp.resolve("keep.txt");
        AtomicFiles.writeString(p, "old");
        assertThrows(IllegalStateException.class, () -> AtomicFiles.write(p, out -> {
            out.write(1);
            throw new IllegalStateException("boom");
        }));
        assertEquals("old", Files.readString(p));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void unwritableFolderIsBadInput() throws IOException {
        Path blocker = tmp.resolve("file");
        Files.writeString(blocker, "x");
        Path p = blocker.resolve("sub/out.txt");
        BadInputException e = assertThrows(BadInputException.class, () -> AtomicFiles.writeString(p, "y"));
        assertTrue(e.getMessage().startsWith("cannot write " + p + ": "), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
        BadInputException d = assertThrows(BadInputException.class, () -> AtomicFiles.writeString(tmp, "y"));
        assertTrue(d.getMessage().contains("it is a folder"), d.getMessage());
    }

    @Test
    void writtenFilesGetTheUsualPermissionsNotPrivateTempOnes() throws IOException {
        Path plain = Files.writeString(tmp.resolve("plain.txt"), "x");
        Path atomic = tmp.resolve("atomic.txt");
        AtomicFiles.writeString(atomic, "x");
        if (Files.getFileStore(tmp).supportsFileAttributeView("posix")) {
            assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(atomic));
        }
    }
}
