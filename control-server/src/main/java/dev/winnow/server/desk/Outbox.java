package dev.winnow.server.desk;

import dev.winnow.server.report.ReportSettings;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * E-mails approved answers to customers through the site's SMTP server (the one the daily reports use,
 * {@code PUT /api/report-settings}; password from {@code WINNOW_SMTP_PASSWORD}). Every answer is first
 * written to the outbox table, then sent; a failed attempt is retried with growing pauses (30 s doubling
 * to 1 h) up to {@link #MAX_ATTEMPTS}, a recipient the server refuses for good (5xx) fails at once, and a
 * failed mail shows on its question ({@code send_failed}) until an agent sends it again. A mail claimed
 * by a sender that stopped mid-send is taken up again after {@link #STALE}; each retry carries the same
 * Message-ID, so a receiver can tell a repeat.
 */
public final class Outbox implements AutoCloseable {

    static final int MAX_ATTEMPTS = 10;
    static final Duration FIRST_PAUSE = Duration.ofSeconds(30);
    static final Duration MAX_PAUSE = Duration.ofHours(1);
    /** A claim older than this belongs to a sender that stopped (the SMTP timeouts are far shorter). */
    static final Duration STALE = Duration.ofMinutes(5);

    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

    /** Where to send: the SMTP server, the desk's From address, the password. */
    public record Smtp(String host, int port, String from, String user, String password, boolean startTls) {
        public boolean configured() {
            return host != null && !host.isBlank();
        }

        /** The reports' SMTP server; the desk's From is {@code deskFrom} when given, else the reports' From. */
        static Smtp of(final ReportSettings s, final String deskFrom, final String password) {
            return new Smtp(s.smtpHost(), s.smtpPort(), deskFrom != null && !deskFrom.isBlank() ? deskFrom.strip()
                    : s.smtpFrom() != null && !s.smtpFrom().isBlank() ? s.smtpFrom() : "winnow@localhost",
                    s.smtpUser(), password, s.smtpStartTls());
        }
    }

    /** One attempt's outcome, recorded on the mail and as an event of its question. */
    public record Attempt(DeskStore.Mail mail, boolean sent, boolean willRetry, String error, Instant nextAttemptAt) {
    }

    private final DeskStore store;
    private final Clock clock;
    private final Supplier<Smtp> smtp;
    private ScheduledExecutorService timer;

    public Outbox(final DeskStore store, final Clock clock, final Supplier<Smtp> smtp) {
        this.store = store;
        this.clock = clock;
        this.smtp = smtp;
    }

    /** The outbox of a server: the reports' SMTP settings read afresh for every attempt. */
    static Outbox of(final DeskStore store, final Clock clock) {
        final ReportSettings.Store settings = new ReportSettings.Store(store.database());
        final String from = System.getProperty("winnow.desk.mail-from", System.getenv("WINNOW_DESK_MAIL_FROM"));
        final String password = System.getenv("WINNOW_SMTP_PASSWORD");
        return new Outbox(store, clock, () -> Smtp.of(settings.get(), from, password));
    }

    public Smtp smtp() {
        return smtp.get();
    }

    /** Attempts the due mails every {@code period} on a thread of its own. */
    public synchronized Outbox start(final Duration period) {
        if (timer == null) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                final Thread t = new Thread(r, "desk-outbox");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleWithFixedDelay(() -> {
                try {
                    deliverDue();
                } catch (RuntimeException e) {
                    // the next round tries again; the mails stay queued in the table
                    LOG.warn("desk outbox round failed: {}", e.toString());
                }
            }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /** Attempts every due mail once; returns the attempts made. */
    public List<Attempt> deliverDue() {
        final Instant now = clock.instant();
        return store.dueMails(now, now.minus(STALE), 50).stream().map(m -> attempt(m.id())).flatMap(Optional::stream)
                .toList();
    }

    /** Attempts one mail now if it is due and no other sender holds it. */
    public Optional<Attempt> attempt(final long mailId) {
        final Instant now = clock.instant();
        if (!store.claimMail(mailId, now, now.minus(STALE))) {
            return Optional.empty();
        }
        final DeskStore.Mail m = store.mail(mailId).orElseThrow();
        final Smtp s = smtp.get();
        try {
            if (!s.configured()) {
                throw new MessagingException("no SMTP server is configured (smtp_host in PUT /api/report-settings)");
            }
            send(m, s, clock.instant(), certificates(m.ticketId()));
        } catch (MessagingException | RuntimeException e) {
            return Optional.of(failed(m, s, e));
        }
        final Instant at = clock.instant();
        store.mailSent(m, at);
        store.event(m.ticketId(), "mail", "sent", "to " + m.to() + " via " + s.host() + ":" + s.port()
                + " (attempt " + (m.attempts() + 1) + ", Message-ID " + m.messageId() + ")", at);
        return Optional.of(new Attempt(store.mail(mailId).orElseThrow(), true, false, null, null));
    }

    private Attempt failed(final DeskStore.Mail m, final Smtp s, final Exception e) {
        final String why = describe(e);
        final int attempts = m.attempts() + 1;
        final Instant now = clock.instant();
        if (permanent(e) || attempts >= MAX_ATTEMPTS) {
            store.mailFailed(m, why);
            final String detail = "to " + m.to() + " after " + attempts + " attempt" + (attempts == 1 ? "" : "s")
                    + ": " + why + "; not sent — correct the problem and send again";
            store.event(m.ticketId(), "mail", "send failed", detail, now);
            LOG.warn("desk answer {} for question {} failed: {}", m.id(), m.ticketId(), detail);
            return new Attempt(store.mail(m.id()).orElseThrow(), false, false, why, null);
        }
        final Instant next = now.plus(pause(attempts));
        store.mailRetry(m, why, next);
        store.event(m.ticketId(), "mail", "send retry", "attempt " + attempts + " of " + MAX_ATTEMPTS + " to " + m.to()
                + (s.configured() ? " via " + s.host() + ":" + s.port() : "") + " failed: " + why + "; next attempt at "
                + next, now);
        return new Attempt(store.mail(m.id()).orElseThrow(), false, true, why, next);
    }

    /** The pause after the {@code attempts}-th failure: 30 s, 1 min, 2 min, ... at most 1 h. */
    static Duration pause(final int attempts) {
        final Duration d = FIRST_PAUSE.multipliedBy(1L << Math.min(20, Math.max(0, attempts - 1)));
        return d.compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : d;
    }

    /** A recipient the server refuses with a 5xx code, or an address that cannot be one, will not get better. */
    static boolean permanent(final Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AddressException) {
                return true;
            }
            if (t instanceof SMTPAddressFailedException a && a.getReturnCode() >= 500) {
                return true;
            }
            if (t instanceof SendFailedException sf && sf.getNextException() != null && sf.getNextException() != t
                    && permanent(sf.getNextException())) {
                return true;
            }
        }
        return false;
    }

    static String describe(final Throwable e) {
        final StringBuilder b = new StringBuilder();
        Throwable last = null;
        for (Throwable t = e; t != null && t != last && b.length() < 400; t = t.getCause()) {
            final String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().strip();
            if (b.indexOf(msg) < 0) {
                b.append(b.length() == 0 ? "" : ": ").append(msg);
            }
            last = t;
        }
        return b.toString().replaceAll("\\s+", " ");
    }

    /** A file sent with an answer. */
    record Attachment(String fileName, String contentType, byte[] bytes) {
    }

    /**
     * The lot certificates the approved answer cites, as the PDFs a manager downloads: rendered from the certificate
     * documents stored with the draft, so the customer gets exactly the figures the agent approved (a lot still
     * running would give other figures if issued again at send time).
     */
    List<Attachment> certificates(final long ticketId) {
        final List<DeskStore.Draft> drafts = store.drafts(ticketId);
        if (drafts.isEmpty()) {
            return List.of();
        }
        final List<Attachment> out = new java.util.ArrayList<>();
        for (final Source src : Desk.sources(drafts.get(drafts.size() - 1))) {
            if (!"lot".equals(src.kind()) || src.text() == null || !src.text().startsWith("{")) {
                continue;
            }
            final com.fasterxml.jackson.databind.node.ObjectNode doc;
            try {
                doc = (com.fasterxml.jackson.databind.node.ObjectNode) CERT_JSON.readTree(src.text());
            } catch (java.io.IOException | ClassCastException e) {
                throw new IllegalStateException("the certificate cited as " + src.key() + " cannot be read: " + e.getMessage());
            }
            final String id = doc.path("certificate_id").asText();
            if (id.isEmpty()) {
                continue; // a "no such lot" card: nothing to attach
            }
            out.add(new Attachment("certificate-" + id + ".pdf", "application/pdf", dev.winnow.server.cert.CertificateWeb.pdf(
                    new dev.winnow.server.cert.CertificateService.Issued(id, doc.path("lot").asText(), doc))));
        }
        return out;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper CERT_JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** One SMTP transaction; the message keeps its Message-ID across retries. */
    static void send(final DeskStore.Mail m, final Smtp s, final Instant at) throws MessagingException {
        send(m, s, at, List.of());
    }

    static void send(final DeskStore.Mail m, final Smtp s, final Instant at, final List<Attachment> attachments)
            throws MessagingException {
        final Properties p = new Properties();
        p.put("mail.smtp.host", s.host());
        p.put("mail.smtp.port", String.valueOf(s.port()));
        p.put("mail.smtp.connectiontimeout", "10000");
        p.put("mail.smtp.timeout", "20000");
        p.put("mail.smtp.writetimeout", "20000");
        if (s.startTls()) {
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", "true");
        }
        final boolean auth = s.user() != null && !s.user().isBlank();
        p.put("mail.smtp.auth", String.valueOf(auth));
        final Session session = Session.getInstance(p);
        final MimeMessage msg = new MimeMessage(session) {
            @Override
            protected void updateMessageID() throws MessagingException {
                setHeader("Message-ID", m.messageId());
            }
        };
        msg.setFrom(new InternetAddress(s.from(), true));
        msg.setRecipient(Message.RecipientType.TO, new InternetAddress(m.to(), true));
        msg.setSubject(m.subject(), "UTF-8");
        msg.setSentDate(Date.from(at));
        msg.setHeader("X-Winnow-Question", String.valueOf(m.ticketId()));
        if (attachments.isEmpty()) {
            msg.setText(m.body(), "UTF-8");
        } else {
            final jakarta.mail.internet.MimeMultipart parts = new jakarta.mail.internet.MimeMultipart("mixed");
            final jakarta.mail.internet.MimeBodyPart text = new jakarta.mail.internet.MimeBodyPart();
            text.setText(m.body(), "UTF-8");
            parts.addBodyPart(text);
            for (final Attachment a : attachments) {
                final jakarta.mail.internet.MimeBodyPart file = new jakarta.mail.internet.MimeBodyPart();
                file.setDataHandler(new jakarta.activation.DataHandler(
                        new jakarta.mail.util.ByteArrayDataSource(a.bytes(), a.contentType())));
                file.setFileName(a.fileName());
                file.setDisposition(jakarta.mail.Part.ATTACHMENT);
                parts.addBodyPart(file);
            }
            msg.setContent(parts);
        }
        if (auth) {
            Transport.send(msg, s.user(), s.password() == null ? "" : s.password());
        } else {
            Transport.send(msg);
        }
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            try {
                timer.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            timer = null;
        }
    }
}
