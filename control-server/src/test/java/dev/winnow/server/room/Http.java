package dev.winnow.server.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/** A tiny HTTP client for tests that keeps the session cookie and the CSRF token. */
public final class Http {

    static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final String base;
    public String cookie;
    public String csrf;
    public String bearer;

    public String base() {
        return base;
    }

    public Http(final String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    public record Reply(int status, String body, java.net.http.HttpHeaders headers) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (Exception e) {
                throw new AssertionError("not JSON (" + status + "): " + body);
            }
        }
    }

    public Reply get(final String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET().header("Accept", "application/json"));
    }

    public Reply page(final String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET().header("Accept", "text/html"));
    }

    public byte[] bytes(final String path) throws Exception {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        final HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new AssertionError(path + " answered " + r.statusCode());
        }
        return r.body();
    }

    public Reply post(final String path, final Object body) throws Exception {
        return send(json(path, body).POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    public Reply put(final String path, final Object body) throws Exception {
        return send(json(path, body).PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    public Reply delete(final String path) throws Exception {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).DELETE();
        if (csrf != null) {
            b.header("X-CSRF-Token", csrf);
        }
        return send(b);
    }

    public Reply send(final HttpRequest.Builder b) throws Exception {
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        final HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        r.headers().firstValue("Set-Cookie").ifPresent(c -> {
            if (c.startsWith("winnow_session=")) {
                cookie = c.substring(0, c.indexOf(';'));
            }
        });
        return new Reply(r.statusCode(), r.body(), r.headers());
    }

    private HttpRequest.Builder json(final String path, final Object body) {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json").header("Accept", "application/json");
        if (csrf != null) {
            b.header("X-CSRF-Token", csrf);
        }
        return b;
    }

    /** Logs in like the login page does (same-origin POST). */
    public Reply login(final String user, final String password) throws Exception {
        final URI u = URI.create(base);
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/login"))
                .header("Content-Type", "application/json").header("Origin", u.getScheme() + "://" + u.getAuthority())
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("username", user,
                        "password", password))));
        final Reply r = send(b);
        if (r.status() == 200) {
            csrf = r.json().get("csrf").asText();
        }
        return r;
    }
}
