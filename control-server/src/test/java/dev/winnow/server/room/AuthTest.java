package dev.winnow.server.room;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.server.WinnowServer;
import dev.winnow.server.config.ServerConfig;
import dev.winnow.server.users.Role;
import dev.winnow.server.users.UserStore;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Logins, sessions, roles on pages and API routes, CSRF, API tokens and the audit log, over real HTTP. */
class AuthTest {

    static final String PW = "correct-horse-battery";

    @TempDir
    Path tmp;

    @Test
    void rolesSessionsCsrfTokensAndAudit() throws Exception {
        try (WinnowServer server = WinnowServer.start(ServerConfig.ephemeral(tmp).withAuthEnforced(true))) {
            final UserStore users = server.controlRoom().auth().users();
            assertThat(server.controlRoom().initialAdminPassword()).as("first start makes an admin").isNotNull();
            users.create("olga", "Olga Operator", Set.of(Role.OPERATOR), PW);
            users.create("erik", "Erik Engineer", Set.of(Role.ENGINEER), PW);
            users.create("dana", "Dana Designer", Set.of(Role.DESIGNER), PW);

            final Http anon = new Http(server.httpUrl());
            assertThat(anon.get("/api/fleet").status()).isEqualTo(401);
            final Http.Reply redirect = anon.page("/alarms");
            assertThat(redirect.status()).isEqualTo(302);
            assertThat(redirect.headers().firstValue("Location").orElseThrow()).isEqualTo("/login?next=%2Falarms");
            assertThat(anon.page("/login").status()).isEqualTo(200);
            assertThat(anon.get("/api/health").status()).as("health stays open").isIn(200, 503);
            assertThat(anon.get("/metrics").status()).isEqualTo(401);

            // wrong password, then right
            assertThat(anon.login("olga", "wrong-password-1").status()).isEqualTo(401);
            final Http olga = new Http(server.httpUrl());
            final Http.Reply in = olga.login("olga", PW);
            assertThat(in.status()).isEqualTo(200);
            final String setCookie = in.headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(setCookie).contains("HttpOnly").containsIgnoringCase("SameSite=Strict");
            assertThat(in.json().get("next").asText()).isEqualTo("/");
            assertThat(olga.get("/api/me").json().get("roles").toString()).isEqualTo("[\"operator\"]");

            // operator: floor pages yes; fleet, design, reports, admin no
            assertThat(olga.get("/api/alarms").status()).isEqualTo(200);
            assertThat(olga.page("/").status()).isEqualTo(200);
            assertThat(olga.get("/api/fleet").status()).isEqualTo(403);
            assertThat(olga.get("/api/fleet").json().get("error").asText()).contains("engineer");
            final Http.Reply refused = olga.page("/fleet");
            assertThat(refused.status()).isEqualTo(302);
            assertThat(refused.headers().firstValue("Location").orElseThrow()).startsWith("/forbidden");
            assertThat(olga.get("/api/design/studies").status()).isEqualTo(403);
            assertThat(olga.page("/reports").status()).isEqualTo(302);
            assertThat(olga.get("/api/users").status()).isEqualTo(403);
            assertThat(olga.get("/api/some-route-nobody-listed").status()).as("deny by default").isEqualTo(403);

            // designer lands on the design lab and may not see the floor
            final Http dana = new Http(server.httpUrl());
            assertThat(dana.login("dana", PW).json().get("next").asText()).isEqualTo("/design");
            assertThat(dana.get("/api/alarms").status()).isEqualTo(403);

            // CSRF: a change without the token and without a same-origin Origin is refused
            final String csrf = olga.csrf;
            olga.csrf = null;
            final Http.Reply noCsrf = olga.post("/api/me/tokens", Map.of("name", "x"));
            assertThat(noCsrf.status()).isEqualTo(403);
            assertThat(noCsrf.json().get("error").asText()).contains("CSRF");
            olga.csrf = csrf;

            // API token for scripts
            final Http erik = new Http(server.httpUrl());
            erik.login("erik", PW);
            final Http.Reply issued = erik.post("/api/me/tokens", Map.of("name", "fleet script"));
            assertThat(issued.status()).isEqualTo(201);
            final String token = issued.json().get("token").asText();
            assertThat(token).startsWith("wnw_");
            final Http script = new Http(server.httpUrl());
            script.bearer = token;
            assertThat(script.get("/api/fleet").status()).isEqualTo(200);
            assertThat(script.get("/metrics").status()).isNotEqualTo(401);
            assertThat(script.get("/api/alarms").status()).isEqualTo(200);
            assertThat(script.get("/api/users").status()).isEqualTo(403);
            assertThat(erik.delete("/api/me/tokens/" + issued.json().get("id").asText()).status()).isEqualTo(200);
            assertThat(script.get("/api/fleet").status()).as("revoked").isEqualTo(401);

            // logout ends the session
            assertThat(olga.post("/api/logout", Map.of()).status()).isEqualTo(200);
            assertThat(olga.get("/api/alarms").status()).isEqualTo(401);

            // admin sees the audit log with who did what
            final Http admin = new Http(server.httpUrl());
            assertThat(admin.login("admin", server.controlRoom().initialAdminPassword()).status()).isEqualTo(200);
            final Http.Reply created = admin.post("/api/users", Map.of("username", "mona", "roles", java.util.List.of("manager"),
                    "password", "short"));
            assertThat(created.status()).isEqualTo(400);
            assertThat(created.json().get("error").asText()).contains("10 characters");
            assertThat(admin.post("/api/users", Map.of("username", "mona", "roles", java.util.List.of("manager"),
                    "password", PW)).status()).isEqualTo(201);
            final String audit = admin.get("/api/audit").body();
            assertThat(audit).contains("\"login.failed\"").contains("\"token.issue\"").contains("\"token.revoke\"")
                    .contains("\"user.create\"").contains("\"username\":\"erik\"");

            // too many failures lock the name out for a while
            final Http brute = new Http(server.httpUrl());
            for (int i = 0; i < 5; i++) {
                brute.login("erik", "nope-nope-" + i);
            }
            assertThat(brute.login("erik", PW).status()).isEqualTo(429);
        }
    }

    @Test
    void ephemeralServersDoNotEnforceRoles() throws Exception {
        try (WinnowServer server = WinnowServer.start(ServerConfig.ephemeral(tmp))) {
            final Http anon = new Http(server.httpUrl());
            assertThat(anon.get("/api/fleet").status()).isEqualTo(200);
            assertThat(anon.get("/api/me").json().get("username").asText()).isEqualTo("local");
            assertThat(server.controlRoom().initialAdminPassword()).isNull();
        }
    }
}
