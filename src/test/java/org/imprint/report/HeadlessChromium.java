package org.imprint.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Debian's Chromium, headless, driven over the Chrome DevTools Protocol with the JDK's WebSocket client: opens a
 * page, reports console errors, uncaught exceptions, failed loads and images that did not decode, and takes a
 * full-page screenshot. The flags keep it off the network (this machine has none) as the env notes advise.
 */
final class HeadlessChromium implements AutoCloseable {
    /** What opening a page found. */
    record PageCheck(List<String> errors, List<String> brokenImages, int images, String title) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<JsonNode> events = new ConcurrentLinkedQueue<>();

    private HeadlessChromium(Process process, Path profile, WebSocket socket) {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
    }

    static HeadlessChromium launch(Path executable) throws Exception {
        if (!Files.isExecutable(executable)) {
            throw new IllegalStateException(executable + " not found: install Debian's chromium with scripts/install-chromium.sh (or set -Dimprint.chromium)");
        }
        Path profile = Files.createTempDirectory("imprint-chromium");
        Process p = new ProcessBuilder(executable.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                "--user-data-dir=" + profile, "--remote-debugging-port=0", "about:blank")
                .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
        // Chromium writes the port it chose to DevToolsActivePort in its profile folder.
        Path portFile = profile.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!(Files.isRegularFile(portFile) && Files.readAllLines(portFile).size() >= 2)) {
            if (!p.isAlive()) throw new IllegalStateException("chromium exited: " + Files.readString(profile.resolve("chromium.log")));
            if (System.nanoTime() > deadline) throw new IllegalStateException("chromium did not open its DevTools port in 30 s");
            Thread.sleep(50);
        }
        int port = Integer.parseInt(Files.readAllLines(portFile).get(0).strip());
        HttpClient http = HttpClient.newHttpClient();
        String list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(), HttpResponse.BodyHandlers.ofString()).body();
        String pageSocket = null;
        for (JsonNode t : JSON.readTree(list)) if (t.path("type").asText().equals("page")) pageSocket = t.path("webSocketDebuggerUrl").asText();
        if (pageSocket == null) throw new IllegalStateException("chromium lists no page target: " + list);
        HeadlessChromium[] self = new HeadlessChromium[1];
        WebSocket ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10)).buildAsync(URI.create(pageSocket), new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    String message = partial.toString();
                    partial.setLength(0);
                    while (self[0] == null) Thread.onSpinWait();
                    self[0].receive(message);
                }
                webSocket.request(1);
                return null;
            }
        }).get(10, TimeUnit.SECONDS);
        self[0] = new HeadlessChromium(p, profile, ws);
        return self[0];
    }

    private void receive(String message) {
        try {
            JsonNode m = JSON.readTree(message);
            if (m.has("id")) {
                CompletableFuture<JsonNode> f = pending.remove(m.get("id").asInt());
                if (f != null) f.complete(m);
            } else {
                events.add(m);
            }
        } catch (IOException e) {
            events.add(JSON.createObjectNode().put("method", "imprint.unparsable").put("text", message));
        }
    }

    /** Sends a DevTools command and waits for its result (an error reply throws). */
    JsonNode send(String method, ObjectNode params) throws Exception {
        int id = nextId.getAndIncrement();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
        msg.set("params", params == null ? JSON.createObjectNode() : params);
        socket.sendText(msg.toString(), true).get(10, TimeUnit.SECONDS);
        JsonNode r = reply.get(60, TimeUnit.SECONDS);
        if (r.has("error")) throw new IllegalStateException(method + ": " + r.get("error"));
        return r.path("result");
    }

    /** Opens {@code url}, waits for its load event and a short quiet period, and checks it. */
    PageCheck open(String url) throws Exception {
        send("Runtime.enable", null);
        send("Log.enable", null);
        send("Page.enable", null);
        events.clear();
        send("Page.navigate", JSON.createObjectNode().put("url", url));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (events.stream().noneMatch(e -> e.path("method").asText().equals("Page.loadEventFired"))) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("no load event for " + url + " in 60 s");
            Thread.sleep(20);
        }
        Thread.sleep(500);
        String probe = "JSON.stringify({title: document.title, images: document.images.length,"
                + " broken: Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt || i.src.slice(0, 60))})";
        JsonNode value = JSON.readTree(send("Runtime.evaluate", JSON.createObjectNode().put("expression", probe).put("returnByValue", true))
                .path("result").path("value").asText());
        List<String> broken = new ArrayList<>();
        value.path("broken").forEach(b -> broken.add(b.asText()));
        List<String> errors = new ArrayList<>();
        for (JsonNode e : events) {
            JsonNode p = e.path("params");
            switch (e.path("method").asText()) {
                case "Runtime.exceptionThrown" -> errors.add("exception: " + p.path("exceptionDetails").path("exception").path("description").asText(p.path("exceptionDetails").path("text").asText()));
                case "Runtime.consoleAPICalled" -> {
                    String type = p.path("type").asText();
                    if (type.equals("error") || type.equals("assert")) errors.add("console." + type + ": " + p.path("args").toString());
                }
                case "Log.entryAdded" -> {
                    if (p.path("entry").path("level").asText().equals("error")) errors.add("log: " + p.path("entry").path("text").asText());
                }
                default -> { }
            }
        }
        return new PageCheck(errors, broken, value.path("images").asInt(), value.path("title").asText());
    }

    /** A screenshot of the whole page at the given CSS width, as PNG bytes. */
    byte[] screenshot(int width) throws Exception {
        JsonNode size = send("Page.getLayoutMetrics", null).path("cssContentSize");
        int height = (int) Math.ceil(size.path("height").asDouble(900));
        send("Emulation.setDeviceMetricsOverride", JSON.createObjectNode().put("width", width).put("height", height)
                .put("deviceScaleFactor", 1).put("mobile", false));
        String data = send("Page.captureScreenshot", JSON.createObjectNode().put("format", "png").put("captureBeyondViewport", true)).path("data").asText();
        return Base64.getDecoder().decode(data);
    }

    @Override
    public void close() throws Exception {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // the browser is killed below either way
        }
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        try (var walk = Files.walk(profile)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover temporary profile is harmless
        }
    }
}
