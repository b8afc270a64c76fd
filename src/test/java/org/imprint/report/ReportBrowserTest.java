package org.imprint.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.imprint.cli.Main;
import org.imprint.io.AtomicFiles;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens a report in headless Chromium (Debian's chromium package): no console error, no broken image; saves a
 * full-page screenshot to target/report-screenshot.png. Not in the default suite: run it with
 * {@code ./run-tests -Pbrowser} (after scripts/install-chromium.sh). By default it reports a tiny demo made here;
 * {@code -Dimprint.report=runs/demo/report.html} checks an existing report instead.
 */
@Tag("browser")
class ReportBrowserTest {
    @TempDir
    Path tmp;

    private static Path chromium() {
        return Path.of(System.getProperty("imprint.chromium", "/usr/bin/chromium"));
    }

    @Test void theCheckerCatchesBrokenImagesAndConsoleErrors() throws Exception {
        // A page with one broken image and one console error: the check must see both, or it proves nothing.
        Path page = tmp.resolve("broken.html");
        Files.writeString(page, "<!DOCTYPE html><html><head><title>broken</title></head><body>"
                + "<img src=\"data:image/png;base64,iVBORw0KGgoAAAA\" alt=\"broken one\">"
                + "<script>console.error('deliberate error')</script></body></html>");
        try (HeadlessChromium browser = HeadlessChromium.launch(chromium())) {
            HeadlessChromium.PageCheck c = browser.open(page.toUri().toString());
            assertEquals(java.util.List.of("broken one"), c.brokenImages());
            assertTrue(c.errors().stream().anyMatch(e -> e.contains("deliberate error")), c.errors().toString());
        }
    }

    @Test void theReportOpensWithoutErrorsAndEveryImageRenders() throws Exception {
        String given = System.getProperty("imprint.report");
        Path report;
        if (given != null && !given.isBlank()) {
            report = Path.of(given).toAbsolutePath();
        } else {
            Path demo = tmp.resolve("demo");
            StringWriter out = new StringWriter(), err = new StringWriter();
            int code = Main.run(new String[] {"demo", "--out", demo.toString(), "--per-class", "4", "--hidden", "16", "--epochs", "2000",
                "--runs", "1", "--iterations", "60", "--test-per-class", "20"}, new PrintWriter(out, true), new PrintWriter(err, true));
            assertEquals(Main.OK, code, err.toString());
            report = demo.resolve("report.html").toAbsolutePath();
        }
        try (HeadlessChromium browser = HeadlessChromium.launch(chromium())) {
            HeadlessChromium.PageCheck c = browser.open(report.toUri().toString());
            assertEquals("Imprint audit report", c.title());
            assertEquals(java.util.List.of(), c.errors(), "console errors");
            assertEquals(java.util.List.of(), c.brokenImages(), "broken images");
            assertTrue(c.images() >= 6, "images: " + c.images());
            Path shot = Path.of("target", "report-screenshot.png");
            AtomicFiles.write(shot, browser.screenshot(1280));
            System.out.println("report " + report + ": " + c.images() + " images, no console errors; screenshot " + shot.toAbsolutePath());
        }
    }
}
