package dev.winnow.server.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Headless Chromium driven over the DevTools protocol with nothing but the JDK's WebSocket client and
 * Jackson: no Selenium, no driver download. The browser runs with a fresh profile folder; the DevTools
 * port is read from the {@code DevToolsActivePort} file it writes there.
 */
final class Chromium implements AutoCloseable {

    /** The Debian package's launcher; override with {@code -Dwinnow.test.chromium=PATH}. */
    static final Path BINARY = Path.of(System.getProperty("winnow.test.chromium", "/usr/bin/chromium"));

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final WebSocket ws;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    private Chromium(final Process process, final WebSocket ws, final Listener listener) {
        this.process = process;
        this.ws = ws;
        listener.owner = this;
    }

    static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    static Chromium launch(final Path profile, final Path log) throws IOException, InterruptedException {
        Files.createDirectories(profile);
        Files.createDirectories(log.getParent());
        final Path portFile = profile.resolve("DevToolsActivePort");
        Files.deleteIfExists(portFile);
        final Process p = new ProcessBuilder(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--hide-scrollbars", "--mute-audio",
                "--user-data-dir=" + profile, "--remote-debugging-port=0", "--remote-allow-origins=*",
                "--window-size=1920,1080", "about:blank")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            final long deadline = System.nanoTime() + TIMEOUT.toNanos();
            List<String> lines = List.of();
            while (lines.size() < 2) {
                if (!p.isAlive()) {
                    throw new IOException("chromium exited with " + p.exitValue() + "; see " + log);
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("chromium did not open its DevTools port in " + TIMEOUT + "; see " + log);
                }
                Thread.sleep(50);
                if (Files.exists(portFile)) {
                    lines = Files.readAllLines(portFile);
                }
            }
            final URI uri = URI.create("ws://127.0.0.1:" + lines.get(0).trim() + lines.get(1).trim());
            final Listener listener = new Listener();
            final WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .connectTimeout(Duration.ofSeconds(10)).buildAsync(uri, listener)
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return new Chromium(p, ws, listener);
        } catch (IOException | InterruptedException | RuntimeException e) {
            kill(p);
            throw e;
        } catch (Exception e) {
            kill(p);
            throw new IOException("cannot connect to chromium's DevTools: " + e, e);
        }
    }

    /** A new tab of the given size. */
    Page newPage(final int width, final int height) throws Exception {
        final String targetId = send(null, "Target.createTarget", Map.of("url", "about:blank")).get("targetId").asText();
        final String session = send(null, "Target.attachToTarget", Map.of("targetId", targetId, "flatten", true))
                .get("sessionId").asText();
        final Page page = new Page(session);
        page.resize(width, height);
        send(session, "Page.enable", Map.of());
        send(session, "Runtime.enable", Map.of());
        return page;
    }

    final class Page {
        private final String session;

        private Page(final String session) {
            this.session = session;
        }

        void resize(final int width, final int height) throws Exception {
            send(session, "Emulation.setDeviceMetricsOverride",
                    Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
        }

        /** Opens {@code url} and waits until the document has loaded. */
        void navigate(final String url) throws Exception {
            final JsonNode r = send(session, "Page.navigate", Map.of("url", url));
            if (r.hasNonNull("errorText")) {
                throw new IOException("cannot open " + url + ": " + r.get("errorText").asText());
            }
            waitFor("the page to load", "document.readyState === 'complete' && location.href === " + JSON
                    .writeValueAsString(url));
        }

        /** Evaluates a JavaScript expression (awaiting a promise) and returns its value as JSON. */
        JsonNode eval(final String expression) throws Exception {
            final JsonNode r = send(session, "Runtime.evaluate",
                    Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
            if (r.hasNonNull("exceptionDetails")) {
                throw new IllegalStateException("JavaScript failed: " + expression + " -> " + r.get("exceptionDetails"));
            }
            final JsonNode v = r.get("result").get("value");
            return v == null ? JSON.nullNode() : v;
        }

        String text(final String expression) throws Exception {
            return eval(expression).asText();
        }

        /** Polls a JavaScript condition until it is true. */
        void waitFor(final String what, final String condition) throws Exception {
            waitFor(what, condition, TIMEOUT);
        }

        void waitFor(final String what, final String condition, final Duration timeout) throws Exception {
            final long deadline = System.nanoTime() + timeout.toNanos();
            while (!eval("!!(" + condition + ")").asBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("timed out after " + timeout + " waiting for " + what + " (" + condition
                            + ")");
                }
                Thread.sleep(100);
            }
        }

        /** A PNG of the viewport. */
        void screenshot(final Path png) throws Exception {
            final JsonNode r = send(session, "Page.captureScreenshot", Map.of("format", "png"));
            Files.createDirectories(png.toAbsolutePath().getParent());
            Files.write(png, Base64.getDecoder().decode(r.get("data").asText()));
        }
    }

    private JsonNode send(final String session, final String method, final Map<String, ?> params) throws Exception {
        final long id = ids.incrementAndGet();
        final ObjectNode msg = JSON.createObjectNode();
        msg.put("id", id);
        msg.put("method", method);
        msg.set("params", JSON.valueToTree(params));
        if (session != null) {
            msg.put("sessionId", session);
        }
        final CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        synchronized (ws) {
            ws.sendText(JSON.writeValueAsString(msg), true).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        final JsonNode r = reply.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (r.has("error")) {
            throw new IllegalStateException(method + " failed: " + r.get("error"));
        }
        return r.get("result");
    }

    private void onMessage(final String text) {
        try {
            final JsonNode m = JSON.readTree(text);
            if (m.has("id")) {
                final CompletableFuture<JsonNode> f = pending.remove(m.get("id").asLong());
                if (f != null) {
                    f.complete(m);
                }
            }
        } catch (IOException e) {
            // not JSON: ignore
        }
    }

    private static final class Listener implements WebSocket.Listener {
        private final StringBuilder buffer = new StringBuilder();
        private volatile Chromium owner;

        @Override
        public CompletionStage<?> onText(final WebSocket webSocket, final CharSequence data, final boolean last) {
            buffer.append(data);
            if (last) {
                final String text = buffer.toString();
                buffer.setLength(0);
                if (owner != null) {
                    owner.onMessage(text);
                }
            }
            webSocket.request(1);
            return null;
        }
    }

    /** Closes the browser (Browser.close, then SIGTERM, then SIGKILL) and waits until every process is gone. */
    @Override
    public void close() {
        final List<ProcessHandle> all = new ArrayList<>();
        process.descendants().forEach(all::add);
        all.add(process.toHandle());
        try {
            // no waiting for the reply: the browser may close before it sends one
            synchronized (ws) {
                ws.sendText("{\"id\":" + ids.incrementAndGet() + ",\"method\":\"Browser.close\"}", true)
                        .get(5, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            // already gone: the waits below tell
        }
        ws.abort();
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
        kill(process);
    }

    private static void kill(final Process p) {
        final List<ProcessHandle> all = new ArrayList<>();
        p.descendants().forEach(all::add);
        all.add(p.toHandle());
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // reported by the caller's checks, if it matters
            }
        }
    }
}
