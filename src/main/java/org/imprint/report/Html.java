package org.imprint.report;

import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Pieces of a self-contained HTML page: escaping, embedded images, tables. What they produce is also well-formed
 * XML (void elements self-closed), so tests can parse a report with a plain XML parser.
 */
final class Html {
    private Html() {}

    /** Escapes text for element content and double-quoted attributes. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** An {@code <img>} whose PNG bytes are embedded as a data URI, so the page needs no other file. */
    static String img(byte[] png, String alt) {
        return "<img src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(png) + "\" alt=\"" + esc(alt) + "\"/>";
    }

    /** A figure: the image and its caption. */
    static String figure(byte[] png, String alt, String caption) {
        return "<figure>" + img(png, alt) + "<figcaption>" + esc(caption) + "</figcaption></figure>\n";
    }

    /** A table with a header row; cells are escaped text. */
    static String table(List<String> header, List<List<String>> rows) {
        StringBuilder b = new StringBuilder("<table>\n<thead><tr>");
        for (String h : header) b.append("<th>").append(esc(h)).append("</th>");
        b.append("</tr></thead>\n<tbody>\n");
        for (List<String> row : rows) {
            b.append("<tr>");
            for (String cell : row) b.append("<td>").append(esc(cell)).append("</td>");
            b.append("</tr>\n");
        }
        return b.append("</tbody>\n</table>\n").toString();
    }

    /** A number for people: integers as such, others with four significant digits. */
    static String num(double v) {
        if (Double.isNaN(v)) return "n/a";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        double a = Math.abs(v);
        if (a >= 1e-3 && a < 1e5) {
            String s = String.format(Locale.ROOT, "%.4g", v);
            return s.contains(".") && !s.contains("e") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
        }
        return String.format(Locale.ROOT, "%.3e", v);
    }

    /** A fraction as a percentage with one decimal. */
    static String percent(double fraction) {
        return Double.isNaN(fraction) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }
}
