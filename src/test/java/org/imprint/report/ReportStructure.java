package org.imprint.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Structural checks of a report, shared by the report and demo tests: the page parses as XML (so every element is
 * closed), each image is an embedded PNG that decodes, there is no script and no reference to another file or host,
 * and every in-page link has its target.
 */
public final class ReportStructure {
    /** What the check found. */
    public record Checked(List<String> sectionIds, int images, String text) {}

    private ReportStructure() {}

    public static Checked check(Path html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
        Document doc = f.newDocumentBuilder().parse(html.toFile());
        Element root = doc.getDocumentElement();
        assertEquals("html", root.getTagName());
        assertEquals(0, doc.getElementsByTagName("script").getLength(), "no script");
        assertEquals(0, doc.getElementsByTagName("link").getLength(), "no linked stylesheet");
        assertEquals(1, doc.getElementsByTagName("main").getLength());

        NodeList imgs = doc.getElementsByTagName("img");
        for (int i = 0; i < imgs.getLength(); i++) {
            Element img = (Element) imgs.item(i);
            String src = img.getAttribute("src");
            assertTrue(src.startsWith("data:image/png;base64,"), "embedded image, got " + src.substring(0, Math.min(40, src.length())));
            assertFalse(img.getAttribute("alt").isBlank(), "every image has alt text");
            BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(src.substring(src.indexOf(',') + 1))));
            assertNotNull(decoded, "image " + img.getAttribute("alt") + " decodes");
            assertTrue(decoded.getWidth() > 10 && decoded.getHeight() > 10, img.getAttribute("alt"));
        }
        List<String> ids = new ArrayList<>();
        List<String> allIds = new ArrayList<>();
        collectIds(root, allIds);
        NodeList sections = doc.getElementsByTagName("section");
        for (int i = 0; i < sections.getLength(); i++) {
            Element s = (Element) sections.item(i);
            assertFalse(s.getAttribute("id").isEmpty(), "every section has an id");
            assertTrue(s.getElementsByTagName("h2").getLength() >= 1, "section " + s.getAttribute("id") + " has a heading");
            ids.add(s.getAttribute("id"));
        }
        NodeList links = doc.getElementsByTagName("a");
        for (int i = 0; i < links.getLength(); i++) {
            String href = ((Element) links.item(i)).getAttribute("href");
            assertTrue(href.startsWith("#"), "only in-page links, got " + href);
            assertTrue(allIds.contains(href.substring(1)), "link target " + href + " exists");
        }
        return new Checked(ids, imgs.getLength(), root.getTextContent());
    }

    private static void collectIds(Node n, List<String> out) {
        if (n instanceof Element e && !e.getAttribute("id").isEmpty()) out.add(e.getAttribute("id"));
        for (Node c = n.getFirstChild(); c != null; c = c.getNextSibling()) collectIds(c, out);
    }
}
