package dev.winnow.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.server.WinnowServer;
import dev.winnow.server.config.ServerConfig;
import dev.winnow.server.users.AccessRules;
import dev.winnow.server.users.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The served {@code /api/openapi.json} describes every {@code /api} route (and {@code /metrics}) a real server
 * registers, no route it does not, with the roles {@link AccessRules} gives each, and is a structurally valid
 * OpenAPI 3.0 document.
 */
class OpenApiCoverageTest {

    /** Routes documented ahead of their code ("METHOD /path"), tolerated while they are not registered. */
    static final Set<String> PENDING = Set.of();

    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
    private static final Pattern TEMPLATE = Pattern.compile("\\{([^}/]+)}");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void everyRegisteredApiRouteIsDocumentedAndNothingElse() throws Exception {
        try (WinnowServer server = WinnowServer.start(ServerConfig.ephemeral(tmp))) {
            final HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(server.httpUrl() + "api/openapi.json")).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
            final JsonNode doc = JSON.readTree(r.body());

            final Set<String> registered = apiRoutes(server.httpRoutes());
            assertThat(registered).as("the router lists the server's routes").hasSizeGreaterThan(100)
                    .contains("GET /api/openapi.json", "GET /metrics", "POST /api/desk/tickets/{id}/approve",
                            "GET /api/design/studies/{id}/events");
            final Set<String> documented = documented(doc);

            SoftAssertions.assertSoftly(soft -> {
                soft.assertThat(missing(registered, documented)).as("registered /api routes missing from openapi.json")
                        .isEmpty();
                soft.assertThat(stale(registered, documented, PENDING)).as("documented routes the server does not have")
                        .isEmpty();
                soft.assertThat(wrongRoles(doc)).as("operations whose 'Roles:' differ from AccessRules").isEmpty();
                soft.assertThat(structuralProblems(doc)).as("OpenAPI 3.0 structure").isEmpty();
            });
        }
    }

    @Test
    void theChecksNameWhatIsWrong() throws Exception {
        final Set<String> registered = apiRoutes(List.of("GET /api/a/{id}", "POST /api/a", "GET /metrics", "GET /design",
                "GET /api/pending"));
        assertThat(registered).containsExactly("GET /api/a/{id}", "GET /api/pending", "GET /metrics", "POST /api/a");
        final Set<String> documented = Set.of("GET /api/a/{id}", "DELETE /api/gone", "GET /metrics", "GET /api/pending");
        assertThat(missing(registered, documented)).containsExactly("POST /api/a");
        assertThat(stale(registered, documented, Set.of("GET /api/pending"))).containsExactly("DELETE /api/gone");

        final JsonNode bad = JSON.readTree("""
                {"openapi": "2.0", "info": {"title": "t"}, "paths": {
                  "/api/users/{name}": {"put": {"summary": "s", "description": "Roles: engineer", "tags": ["nope"],
                      "responses": {"200": {"description": "OK"}, "4xx": {"$ref": "#/components/responses/Missing"}}}},
                  "api/x": {"get": {"description": "Roles: admin", "responses": {}}}}}""");
        assertThat(wrongRoles(bad)).containsExactly("PUT /api/users/{name}: documented [engineer], AccessRules [admin]");
        assertThat(structuralProblems(bad)).contains("openapi must be 3.0.x, not 2.0", "info.version is missing",
                "PUT /api/users/{name}: path parameter {name} is not declared",
                "PUT /api/users/{name}: tag nope is not declared", "PUT /api/users/{name}: response 4xx is not a status code",
                "PUT /api/users/{name}: $ref #/components/responses/Missing does not resolve",
                "path api/x must start with /", "GET api/x: no summary", "GET api/x: no responses");
    }

    // ------------------------------------------------------------------ coverage

    /** {@code "GET /api/x/{id}"} of the router's routes under /api and /metrics. */
    static Set<String> apiRoutes(final List<String> routes) {
        return routes.stream().filter(r -> {
            final String path = r.substring(r.indexOf(' ') + 1);
            return path.startsWith("/api/") || path.equals("/metrics");
        }).collect(Collectors.toCollection(TreeSet::new));
    }

    static Set<String> documented(final JsonNode doc) {
        final Set<String> out = new TreeSet<>();
        doc.path("paths").fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(m -> {
            if (METHODS.contains(m)) {
                out.add(m.toUpperCase(Locale.ROOT) + " " + p.getKey());
            }
        }));
        return out;
    }

    static Set<String> missing(final Set<String> registered, final Set<String> documented) {
        final Set<String> out = new TreeSet<>(registered);
        out.removeAll(documented);
        return out;
    }

    static Set<String> stale(final Set<String> registered, final Set<String> documented, final Set<String> pending) {
        final Set<String> out = new TreeSet<>(documented);
        out.removeAll(registered);
        out.removeAll(pending);
        return out;
    }

    /** Operations whose description's {@code Roles: ...} is not what {@link AccessRules} decides for the route. */
    static List<String> wrongRoles(final JsonNode doc) {
        final List<String> out = new ArrayList<>();
        forEachOperation(doc, (method, path, op) -> {
            final String d = op.path("description").asText("");
            if (!d.startsWith("Roles: ")) {
                out.add(method + " " + path + ": the description does not start with 'Roles: '");
                return;
            }
            final Set<String> said = new TreeSet<>(List.of(d.substring(7).split("\\.|\\n")[0].trim().split(",\\s*")));
            final AccessRules.Rule rule = AccessRules.ruleFor(TEMPLATE.matcher(path).replaceAll("x"));
            final Set<String> want = switch (rule.kind()) {
                case OPEN -> Set.of("open");
                case DEVICE -> Set.of("device");
                case SIGNED_IN -> Set.of("signed in");
                case ROLES -> rule.roles(method).stream().map(Role::id).collect(Collectors.toCollection(TreeSet::new));
            };
            if (!said.equals(want)) {
                out.add(method + " " + path + ": documented " + said + ", AccessRules " + new TreeSet<>(want));
            }
        });
        return out;
    }

    // ------------------------------------------------------------------ structure

    /**
     * A structural check of OpenAPI 3.0 (no validator library is available offline here): the version and info,
     * paths starting with '/', every path parameter declared (in: path, required) and none extra, summaries,
     * non-empty responses keyed by status codes with descriptions, request bodies with content, declared tags and
     * security schemes, and every {@code $ref} resolving inside the document.
     */
    static List<String> structuralProblems(final JsonNode doc) {
        final List<String> out = new ArrayList<>();
        if (!doc.path("openapi").asText("").startsWith("3.0.")) {
            out.add("openapi must be 3.0.x, not " + doc.path("openapi").asText("(missing)"));
        }
        for (String f : List.of("title", "version")) {
            if (!doc.path("info").path(f).isTextual()) {
                out.add("info." + f + " is missing");
            }
        }
        if (!doc.path("paths").isObject()) {
            out.add("paths is missing");
        }
        final Set<String> tags = new LinkedHashSet<>();
        doc.path("tags").forEach(t -> tags.add(t.path("name").asText()));
        final Set<String> schemes = new LinkedHashSet<>();
        doc.path("components").path("securitySchemes").fieldNames().forEachRemaining(schemes::add);
        doc.path("security").forEach(s -> s.fieldNames().forEachRemaining(n -> {
            if (!schemes.contains(n)) {
                out.add("security scheme " + n + " is not declared");
            }
        }));
        doc.path("paths").fieldNames().forEachRemaining(p -> {
            if (!p.startsWith("/")) {
                out.add("path " + p + " must start with /");
            }
        });
        forEachOperation(doc, (method, path, op) -> {
            final String at = method + " " + path + ": ";
            final Set<String> inTemplate = new LinkedHashSet<>();
            final Matcher m = TEMPLATE.matcher(path);
            while (m.find()) {
                inTemplate.add(m.group(1));
            }
            final Set<String> declared = new LinkedHashSet<>();
            op.path("parameters").forEach(pa -> {
                if (pa.path("name").asText("").isEmpty() || !pa.path("in").isTextual()
                        || !Set.of("path", "query", "header", "cookie").contains(pa.path("in").asText())) {
                    out.add(at + "a parameter needs name and in (path, query, header or cookie)");
                }
                if (!pa.has("schema") && !pa.has("content")) {
                    out.add(at + "parameter " + pa.path("name").asText() + " has no schema");
                }
                if ("path".equals(pa.path("in").asText())) {
                    declared.add(pa.path("name").asText());
                    if (!pa.path("required").asBoolean(false)) {
                        out.add(at + "path parameter " + pa.path("name").asText() + " must be required");
                    }
                }
            });
            for (String n : inTemplate) {
                if (!declared.contains(n)) {
                    out.add(at + "path parameter {" + n + "} is not declared");
                }
            }
            for (String n : declared) {
                if (!inTemplate.contains(n)) {
                    out.add(at + "parameter " + n + " is not in the path");
                }
            }
            if (op.path("summary").asText("").isBlank()) {
                out.add(at + "no summary");
            }
            op.path("tags").forEach(t -> {
                if (!tags.contains(t.asText())) {
                    out.add(at + "tag " + t.asText() + " is not declared");
                }
            });
            if (op.has("requestBody") && !op.path("requestBody").path("content").isObject()) {
                out.add(at + "requestBody has no content");
            }
            final JsonNode rs = op.path("responses");
            if (!rs.isObject() || rs.isEmpty()) {
                out.add(at + "no responses");
            }
            rs.fields().forEachRemaining(e -> {
                if (!e.getKey().matches("[1-5]\\d\\d|[1-5]XX|default")) {
                    out.add(at + "response " + e.getKey() + " is not a status code");
                }
                if (!e.getValue().has("$ref") && !e.getValue().path("description").isTextual()) {
                    out.add(at + "response " + e.getKey() + " has no description");
                }
            });
            op.path("security").forEach(s -> s.fieldNames().forEachRemaining(n -> {
                if (!schemes.contains(n)) {
                    out.add(at + "security scheme " + n + " is not declared");
                }
            }));
            refs(op, r -> {
                if (!r.startsWith("#/") || doc.at(r.substring(1)).isMissingNode()) {
                    out.add(at + "$ref " + r + " does not resolve");
                }
            });
        });
        refs(doc.path("components"), r -> {
            if (!r.startsWith("#/") || doc.at(r.substring(1)).isMissingNode()) {
                out.add("components: $ref " + r + " does not resolve");
            }
        });
        return out;
    }

    private interface OperationVisitor {
        void visit(String method, String path, JsonNode op);
    }

    private static void forEachOperation(final JsonNode doc, final OperationVisitor v) {
        final Iterator<Map.Entry<String, JsonNode>> ps = doc.path("paths").fields();
        while (ps.hasNext()) {
            final Map.Entry<String, JsonNode> p = ps.next();
            p.getValue().fields().forEachRemaining(o -> {
                if (METHODS.contains(o.getKey())) {
                    v.visit(o.getKey().toUpperCase(Locale.ROOT), p.getKey(), o.getValue());
                }
            });
        }
    }

    private static void refs(final JsonNode n, final java.util.function.Consumer<String> each) {
        if (n.isObject()) {
            n.fields().forEachRemaining(e -> {
                if (e.getKey().equals("$ref") && e.getValue().isTextual()) {
                    each.accept(e.getValue().asText());
                } else {
                    refs(e.getValue(), each);
                }
            });
        } else if (n.isArray()) {
            n.forEach(c -> refs(c, each));
        }
    }
}
