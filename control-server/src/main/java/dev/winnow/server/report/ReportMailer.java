package dev.winnow.server.report;

import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Properties;

/** Sends a report by SMTP: the summary in the body, the PDF and CSV attached. */
public final class ReportMailer {

    private final String password;

    /** @param password nullable SMTP password (from {@code WINNOW_SMTP_PASSWORD}) */
    public ReportMailer(final String password) {
        this.password = password;
    }

    public void send(final ReportSettings s, final String subject, final String html, final byte[] pdf,
                     final String csv, final String baseName) throws MessagingException {
        final Properties p = new Properties();
        p.put("mail.smtp.host", s.smtpHost());
        p.put("mail.smtp.port", String.valueOf(s.smtpPort()));
        p.put("mail.smtp.connectiontimeout", "10000");
        p.put("mail.smtp.timeout", "20000");
        if (s.smtpStartTls()) {
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", "true");
        }
        final boolean auth = s.smtpUser() != null && !s.smtpUser().isBlank();
        p.put("mail.smtp.auth", String.valueOf(auth));
        final Session session = Session.getInstance(p);
        final MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress(s.smtpFrom() != null ? s.smtpFrom() : "winnow@localhost"));
        for (String to : s.recipients()) {
            m.addRecipient(Message.RecipientType.TO, new InternetAddress(to));
        }
        m.setSubject(subject, "UTF-8");
        m.setSentDate(new Date());
        final MimeMultipart mp = new MimeMultipart("mixed");
        final MimeBodyPart body = new MimeBodyPart();
        body.setContent(html, "text/html; charset=UTF-8");
        mp.addBodyPart(body);
        final MimeBodyPart pdfPart = new MimeBodyPart();
        pdfPart.setDataHandler(new DataHandler(new ByteArrayDataSource(pdf, "application/pdf")));
        pdfPart.setFileName(baseName + ".pdf");
        mp.addBodyPart(pdfPart);
        final MimeBodyPart csvPart = new MimeBodyPart();
        csvPart.setDataHandler(new DataHandler(new ByteArrayDataSource(csv.getBytes(StandardCharsets.UTF_8),
                "text/csv")));
        csvPart.setFileName(baseName + ".csv");
        mp.addBodyPart(csvPart);
        m.setContent(mp);
        if (auth) {
            Transport.send(m, s.smtpUser(), password == null ? "" : password);
        } else {
            Transport.send(m);
        }
    }
}
