package dev.winnow.server.desk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.server.WinnowServer;
import dev.winnow.server.config.ServerConfig;
import dev.winnow.server.room.Http;
import dev.winnow.server.users.Role;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Customers ask through the open form with logins enforced; agents see the question in their inbox. */
class ContactFormTest {

    private static final String PW = "agent-password-1";

    @Test
    void aCustomerWithoutALoginAsksAndTheQuestionReachesTheAgentsInboxOnly(@TempDir final Path tmp) throws Exception {
        try (WinnowServer server = WinnowServer.start(ServerConfig.ephemeral(tmp).withAuthEnforced(true))) {
            server.controlRoom().auth().users().create("ada", "Ada Agent", Set.of(Role.AGENT), PW);
            final Http customer = new Http(server.httpUrl());
            final Http.Reply form = customer.page("/contact");
            assertThat(form.status()).isEqualTo(200);
            assertThat(form.body()).contains("<form").contains("/assets/desk-form.js");

            final Http.Reply asked = customer.post("/api/contact", Map.of("customer_email", "li.wei@example.com",
                    "customer_name", "Li Wei", "question", "When will order PO-4410 ship?"));
            assertThat(asked.status()).isEqualTo(201);
            final long id = asked.json().at("/ticket/id").asLong();
            assertThat(id).isPositive();
            // the public side gets its number and nothing of the draft or its sources
            assertThat(asked.json().fieldNames()).toIterable().containsExactlyInAnyOrder("ticket", "message");
            assertThat(asked.json().get("ticket").fieldNames()).toIterable().containsExactly("id");

            assertThat(customer.get("/api/desk/tickets").status()).as("the inbox stays closed").isIn(401, 403);

            final Http agent = new Http(server.httpUrl());
            assertThat(agent.login("ada", PW).status()).isEqualTo(200);
            final Http.Reply ticket = agent.get("/api/desk/tickets/" + id);
            assertThat(ticket.status()).isEqualTo(200);
            assertThat(ticket.body()).contains("li.wei@example.com").contains("PO-4410").contains("\"web\"");
        }
    }

    @Test
    void aBadAddressIsRefusedAndAFloodIsSlowedDown(@TempDir final Path tmp) throws Exception {
        try (WinnowServer server = WinnowServer.start(ServerConfig.ephemeral(tmp).withAuthEnforced(true))) {
            final Http customer = new Http(server.httpUrl());
            final Http.Reply bad = customer.post("/api/contact", Map.of("customer_email", "not-an-address",
                    "question", "Hello?"));
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.json().get("error").asText()).contains("customer_email");
            final Http.Reply empty = customer.post("/api/contact", Map.of("customer_email", "a@example.com",
                    "question", " "));
            assertThat(empty.status()).isEqualTo(400);
            assertThat(empty.json().get("error").asText()).contains("question");
            int accepted = 0;
            Http.Reply last = null;
            for (int i = 0; i < 7; i++) {
                last = customer.post("/api/contact", Map.of("customer_email", "a@example.com",
                        "question", "Question number " + i + " about my lot"));
                if (last.status() == 201) {
                    accepted++;
                }
            }
            // the two refused requests above counted too: five from one address in ten minutes, then 429
            assertThat(accepted).isEqualTo(3);
            assertThat(last.status()).isEqualTo(429);
        }
    }

    @Test
    void theLimitCountsPerAddressAndForgetsAfterItsWindow() {
        final ContactLimit limit = new ContactLimit(2, Duration.ofMinutes(10));
        final Instant t = Instant.parse("2026-11-22T10:00:00Z");
        assertThat(limit.allow("10.0.0.1", t)).isTrue();
        assertThat(limit.allow("10.0.0.1", t.plusSeconds(1))).isTrue();
        assertThat(limit.allow("10.0.0.1", t.plusSeconds(2))).isFalse();
        assertThat(limit.allow("10.0.0.2", t.plusSeconds(2))).isTrue();
        assertThat(limit.allow("10.0.0.1", t.plusSeconds(601))).isTrue();
    }
}
