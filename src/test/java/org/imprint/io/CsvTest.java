package org.imprint.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTest {
    @TempDir
    Path tmp;

    Path put(String text) throws IOException {
        Path p = tmp.resolve("t.csv");
        Files.writeString(p, text);
        return p;
    }

    @Test
    void withHeader() throws IOException {
        Csv.Table t = Csv.read(put("\"x1\", x2,label\n1,2.5,0\n-3e-2 , .5, 1\n\n"));
        assertArrayEquals(new String[] {"x1", "x2", "label"}, t.header());
        assertEquals(2, t.numRows());
        assertEquals(3, t.numCols());
        assertArrayEquals(new double[] {-0.03, 0.5, 1}, t.rows()[1], 0.0);
    }

    @Test
    void withoutHeaderWhitespaceSeparated() throws IOException {
        Csv.Table t = Csv.read(put("# comment\n1 2\t3\r\n  4   5 6\n"));
        assertNull(t.header());
        assertArrayEquals(new double[][] {{1, 2, 3}, {4, 5, 6}}, t.rows());
    }

    static void rejects(Path p, String fragment) {
        BadInputException e = assertThrows(BadInputException.class, () -> Csv.read(p));
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void errorsNameLineAndColumn() throws IOException {
        rejects(put("a,b\n1,2\n3\n"), "line 3 has 1 values, expected 2 (as on line 1)");
        rejects(put("1,2\n3,4,5\n"), "line 2 has 3 values, expected 2 (as on line 1)");
        rejects(put("1,2\n3,x\n"), "line 2, column 2: 'x' is not a number");
        rejects(put("1,2\n3,\n"), "line 2, column 2: empty value");
        rejects(put("1,2\nnan,4\n"), "line 2, column 1: 'nan' is not a finite number");
        rejects(put("1,2\n1d,4\n"), "'1d' is not a number");
        rejects(put("a,b\n"), "has no data rows");
        rejects(tmp.resolve("none.csv"), "no such file");
    }
}
