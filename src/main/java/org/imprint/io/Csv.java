package org.imprint.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A numeric CSV reader. Values are separated by commas, or, when the first data line has no comma, by runs
 * of spaces or tabs. Blank lines and lines starting with {@code #} are skipped. The first line is a header
 * (names, kept) when any of its fields is not a number. Every other line must have as many values as the
 * first data line, and every value must be a finite decimal number ({@code 3}, {@code -0.5},
 * {@code 1e-3}); an error names the file, line and column.
 */
public final class Csv {
    private Csv() {}

    /** The parsed table: column names (null when the file has no header row) and the rows. */
    public record Table(String[] header, double[][] rows) {
        public int numRows() {
            return rows.length;
        }

        public int numCols() {
            return rows.length == 0 ? (header == null ? 0 : header.length) : rows[0].length;
        }
    }

    private static final Pattern NUMBER =
            Pattern.compile("[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?");
    private static final Pattern NON_FINITE =
            Pattern.compile("[+-]?(?:nan|inf|infinity)", Pattern.CASE_INSENSITIVE);
    private static final Pattern WHITESPACE = Pattern.compile("[ \\t]+");

    /** Reads the numbers only (the header, if any, is dropped). */
    public static double[][] readMatrix(Path path) {
        return read(path).rows();
    }

    /** Reads a numeric CSV file; at least one data row is required. */
    public static Table read(Path path) {
        List<String> lines;
        try (BufferedReader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            lines = r.lines().toList();
        } catch (java.io.UncheckedIOException e) {
            if (e.getCause() instanceof CharacterCodingException) throw bad(path, "is not UTF-8 text");
            throw MappedFile.cannotRead(path, e.getCause());
        } catch (IOException e) {
            throw MappedFile.cannotRead(path, e);
        }
        String[] header = null;
        List<double[]> rows = new ArrayList<>();
        Boolean comma = null;
        int width = -1;
        int widthLine = -1;
        for (int ln = 0; ln < lines.size(); ln++) {
            String line = lines.get(ln);
            if (ln == 0 && line.startsWith("\uFEFF")) line = line.substring(1);
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) continue;
            if (comma == null) comma = trimmed.indexOf(',') >= 0;
            String[] fields = comma ? trimmed.split(",", -1) : WHITESPACE.split(trimmed);
            for (int c = 0; c < fields.length; c++) fields[c] = fields[c].strip();
            int lineNo = ln + 1;
            if (header == null && rows.isEmpty() && !allNumbers(fields)) {
                header = new String[fields.length];
                for (int c = 0; c < fields.length; c++) header[c] = unquote(fields[c]);
                width = fields.length;
                widthLine = lineNo;
                continue;
            }
            if (width < 0) {
                width = fields.length;
                widthLine = lineNo;
            } else if (fields.length != width) {
                throw bad(path, "line " + lineNo + " has " + fields.length + " values, expected " + width
                        + " (as on line " + widthLine + ")");
            }
            double[] row = new double[fields.length];
            for (int c = 0; c < fields.length; c++) row[c] = number(path, fields[c], lineNo, c + 1);
            rows.add(row);
        }
        if (rows.isEmpty()) throw bad(path, "has no data rows");
        return new Table(header, rows.toArray(new double[0][]));
    }

    private static boolean allNumbers(String[] fields) {
        for (String f : fields) if (!NUMBER.matcher(f).matches() && !NON_FINITE.matcher(f).matches()) return false;
        return true;
    }

    private static double number(Path path, String field, int line, int col) {
        if (field.isEmpty()) throw bad(path, "line " + line + ", column " + col + ": empty value");
        if (NON_FINITE.matcher(field).matches()) {
            throw bad(path, "line " + line + ", column " + col + ": '" + field + "' is not a finite number");
        }
        if (!NUMBER.matcher(field).matches()) {
            throw bad(path, "line " + line + ", column " + col + ": '" + shorten(field) + "' is not a number");
        }
        double v = Double.parseDouble(field);
        if (!Double.isFinite(v)) throw bad(path, "line " + line + ", column " + col + ": '" + field + "' overflows float64");
        return v;
    }

    private static String unquote(String f) {
        if (f.length() >= 2 && (f.charAt(0) == '"' || f.charAt(0) == '\'') && f.charAt(f.length() - 1) == f.charAt(0)) {
            return f.substring(1, f.length() - 1);
        }
        return f;
    }

    private static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 37) + "..." : s;
    }

    private static BadInputException bad(Path path, String what) {
        return new BadInputException(path + ": " + what);
    }
}
