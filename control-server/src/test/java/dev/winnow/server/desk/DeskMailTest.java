package dev.winnow.server.desk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.winnow.server.llm.LlmProvider;
import dev.winnow.server.report.ReportSettings;
import dev.winnow.server.store.Database;
import dev.winnow.server.store.EventStore;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Approved answers e-mailed through a real local SMTP server (GreenMail), with the retries, the failures and
 * the refusals an agent must see; the clock is set by the test, so the retry pauses are exact.
 */
class DeskMailTest {

    @TempDir
    Path dir;

    int port;
    GreenMail smtp;
    Database db;
    final Instant[] now = {Instant.parse("2026-04-20T08:00:00Z")};
    final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(final ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now[0];
        }
    };

    @BeforeEach
    void open() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        db = Database.open(Database.embeddedUrl(dir), null, null);
        DeskDemo.seed(new EventStore(db));
    }

    @AfterEach
    void close() throws Exception {
        smtp.stop();
        db.close();
    }

    Desk desk() {
        return new Desk(db, clock, LlmProvider.none(), LotTool.of(db, clock), Embedder.miniLm(), 1 << 20);
    }

    void configureSmtp(final String host) {
        new ReportSettings.Store(db).put(new ReportSettings(ZoneOffset.UTC, LocalTime.of(0, 15), false, List.of(), host,
                port, "service@mill.example", null, false), now[0]);
    }

    long approvedQuestion(final Desk desk, final String email, final String question) {
        final long id = ((DeskStore.Ticket) desk.receive(email, "Ms. Wang", null, question, "web").get("ticket")).id();
        desk.approve(id, null, "ana", false);
        return id;
    }

    static DeskStore.Ticket ticket(final Map<String, Object> view) {
        return (DeskStore.Ticket) view.get("ticket");
    }

    @Test
    void anApprovedAnswerIsEmailedToTheCustomerWithItsSources() throws Exception {
        smtp.start();
        configureSmtp("127.0.0.1");
        final Desk desk = desk();
        desk.loadSamples();
        final long id = approvedQuestion(desk, "purchasing@shfineyarns.example", "批次 LOT-2604-A17 剔除了多少异物？");

        final Map<String, Object> v = desk.send(id, "ana");
        assertThat(ticket(v).status()).isEqualTo("sent");
        assertThat(ticket(v).sentAt()).isEqualTo(now[0]);
        assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
        final MimeMessage got = smtp.getReceivedMessages()[0];
        assertThat(got.getAllRecipients()).containsExactly(new InternetAddress("purchasing@shfineyarns.example"));
        assertThat(got.getFrom()).containsExactly(new InternetAddress("service@mill.example"));
        assertThat(got.getSubject()).isEqualTo("关于您的问题（编号 " + id + "）的答复");
        final jakarta.mail.internet.MimeMultipart parts = (jakarta.mail.internet.MimeMultipart) got.getContent();
        assertThat(parts.getBodyPart(1).getFileName()).startsWith("certificate-WNW-").endsWith(".pdf");
        final String body = ((String) parts.getBodyPart(0).getContent()).replace("\r\n", "\n");
        assertThat(body).startsWith(ticket(v).finalText().strip())
                .contains("共剔除异物 73 个")
                .contains("来源：\n[1] Lot quality certificate")
                .contains("> 批次 LOT-2604-A17 剔除了多少异物？");
        final DeskStore.Mail mail = desk.store().mails(id, null, 5).get(0);
        assertThat(mail.state()).isEqualTo("sent");
        assertThat(mail.attempts()).isEqualTo(1);
        assertThat(got.getMessageID()).isEqualTo(mail.messageId());
        assertThat(got.getHeader("X-Winnow-Question")).containsExactly(String.valueOf(id));
        @SuppressWarnings("unchecked")
        final List<Map<String, Object>> events = (List<Map<String, Object>>) v.get("events");
        assertThat(events).extracting(e -> e.get("action")).containsSubsequence("approved", "queued", "sent");

        // sent once: a second press is refused and nothing more leaves
        assertThatThrownBy(() -> desk.send(id, "ana")).isInstanceOf(DeskException.class).hasMessageContaining("sent");
        assertThatThrownBy(() -> desk.edit(id, "changed", "ana")).isInstanceOf(DeskException.class);
        assertThat(desk.outbox().deliverDue()).isEmpty();
        assertThat(smtp.getReceivedMessages()).hasSize(1);
    }

    @Test
    void aFailedAttemptIsRetriedAfterItsPauseEvenByARestartedServer() throws Exception {
        configureSmtp("127.0.0.1"); // nothing listens on the port yet
        final Desk desk = desk();
        desk.loadSamples();
        final long id = approvedQuestion(desk, "buyer@example.com", "How long do refunds take?");
        final Map<String, Object> v = desk.send(id, "ana");
        assertThat(ticket(v).status()).isEqualTo("sending");
        DeskStore.Mail m = desk.store().mails(id, null, 1).get(0);
        assertThat(m.state()).isEqualTo("queued");
        assertThat(m.attempts()).isEqualTo(1);
        assertThat(m.lastError()).containsIgnoringCase("connect");
        assertThat(m.nextAttemptAt()).isEqualTo(now[0].plusSeconds(30));
        assertThat(desk.view(id).get("events").toString()).contains("send retry").contains("attempt 1 of 10");
        // the answer can no longer change, and a second Send says why it waits
        assertThatThrownBy(() -> desk.edit(id, "x", "ana")).isInstanceOf(DeskException.class).hasMessageContaining("being e-mailed");
        assertThatThrownBy(() -> desk.send(id, "ana")).isInstanceOf(DeskException.class)
                .hasMessageContaining("already being sent").hasMessageContaining("next attempt at");

        now[0] = now[0].plusSeconds(29);
        assertThat(desk.outbox().deliverDue()).as("not due yet").isEmpty();

        // the server restarts (a new desk over the same database) and the SMTP server comes up
        smtp.start();
        final Desk restarted = desk();
        now[0] = now[0].plusSeconds(1);
        final List<Outbox.Attempt> done = restarted.outbox().deliverDue();
        assertThat(done).singleElement().satisfies(a -> assertThat(a.sent()).isTrue());
        assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
        assertThat(((String) smtp.getReceivedMessages()[0].getContent())).contains("14 business days");
        m = restarted.store().mails(id, null, 1).get(0);
        assertThat(m.state()).isEqualTo("sent");
        assertThat(m.attempts()).isEqualTo(2);
        assertThat(restarted.store().ticket(id).orElseThrow().status()).isEqualTo("sent");
        assertThat(restarted.store().analytics().get("answered")).isEqualTo(1);
    }

    @Test
    void afterTheLastAttemptTheMailFailsVisiblyAndCanBeSentAgain() throws Exception {
        configureSmtp("127.0.0.1");
        final Desk desk = desk();
        final long id = approvedQuestion(desk, "buyer@example.com", "How long do refunds take?");
        desk.send(id, "ana");
        for (int attempt = 2; attempt <= Outbox.MAX_ATTEMPTS; attempt++) {
            now[0] = now[0].plus(Outbox.pause(attempt - 1));
            assertThat(desk.outbox().deliverDue()).as("attempt " + attempt).hasSize(1);
        }
        final DeskStore.Mail failed = desk.store().mails(id, null, 1).get(0);
        assertThat(failed.state()).isEqualTo("failed");
        assertThat(failed.attempts()).isEqualTo(Outbox.MAX_ATTEMPTS);
        assertThat(desk.store().ticket(id).orElseThrow().status()).isEqualTo("send_failed");
        assertThat(desk.store().tickets("send_failed", null, 10)).extracting(DeskStore.Ticket::id).containsExactly(id);
        assertThat(desk.view(id).get("events").toString()).contains("send failed").contains("after 10 attempts");
        now[0] = now[0].plus(Duration.ofDays(1));
        assertThat(desk.outbox().deliverDue()).as("a failed mail waits for a person").isEmpty();

        smtp.start();
        final Map<String, Object> v = desk.send(id, "ben");
        assertThat(ticket(v).status()).isEqualTo("sent");
        assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
        assertThat(smtp.getReceivedMessages()[0].getMessageID()).as("the same mail, sent again").isEqualTo(failed.messageId());
        assertThat(desk.store().mails(id, null, 5)).hasSize(1);
    }

    @Test
    void sendIsRefusedAndChangesNothingWithoutAnSmtpServerOrAMailableAddress() {
        final Desk desk = desk();
        final long id = approvedQuestion(desk, "buyer@example.com", "How long do refunds take?");
        assertThatThrownBy(() -> desk.send(id, "ana")).isInstanceOf(DeskException.class)
                .hasMessageContaining("no SMTP server is configured").hasMessageContaining("/api/report-settings");
        assertThat(desk.store().ticket(id).orElseThrow().status()).isEqualTo("approved");
        assertThat(desk.store().mails(id, null, 5)).isEmpty();

        configureSmtp("127.0.0.1");
        final long bad = approvedQuestion(desk, "Ms Wang at the mill", "How long do refunds take?");
        assertThatThrownBy(() -> desk.send(bad, "ana")).isInstanceOf(DeskException.class)
                .hasMessageContaining("'Ms Wang at the mill' cannot be e-mailed");
        assertThat(desk.store().ticket(bad).orElseThrow().status()).isEqualTo("approved");
        assertThat(desk.store().mails(bad, null, 5)).isEmpty();
        assertThatThrownBy(() -> desk.send(desk.store().newTicket("x@y.example", null, null, "q", "en", "api", now[0]),
                "ana")).isInstanceOf(DeskException.class).hasMessageContaining("only an approved answer");
    }

    @Test
    void aRecipientRefusedForGoodFailsAtOnceWhileOtherErrorsAreRetried() throws Exception {
        final InternetAddress to = new InternetAddress("nobody@example.com");
        assertThat(Outbox.permanent(new SMTPAddressFailedException(to, "RCPT TO", 550, "no such user"))).isTrue();
        assertThat(Outbox.permanent(new jakarta.mail.SendFailedException("Invalid Addresses",
                new SMTPAddressFailedException(to, "RCPT TO", 550, "no such user")))).isTrue();
        assertThat(Outbox.permanent(new SMTPAddressFailedException(to, "RCPT TO", 451, "try later"))).isFalse();
        assertThat(Outbox.permanent(new jakarta.mail.MessagingException("Couldn't connect to host"))).isFalse();
        assertThat(Outbox.pause(1)).isEqualTo(Duration.ofSeconds(30));
        assertThat(Outbox.pause(3)).isEqualTo(Duration.ofMinutes(2));
        assertThat(Outbox.pause(9)).isEqualTo(Duration.ofHours(1));
    }
}
