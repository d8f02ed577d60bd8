package dev.winnow.server.desk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.server.WinnowServer;
import dev.winnow.server.config.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's path on a real server: documents, a lot question, draft with sources, edit, approve, send by e-mail. */
class DeskHttpTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private HttpResponse<String> call(final String base, final String method, final String path, final String body,
                                      final String type) throws Exception {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path.substring(1)));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (type != null) {
            b.header("Content-Type", type);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private JsonNode ok(final HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
        return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }

    @Test
    void anAgentAnswersALotQuestionWithSources() throws Exception {
        final int smtpPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            smtpPort = s.getLocalPort();
        }
        final com.icegreen.greenmail.util.GreenMail mail = new com.icegreen.greenmail.util.GreenMail(
                new com.icegreen.greenmail.util.ServerSetup(smtpPort, "127.0.0.1", "smtp"));
        mail.start();
        try (WinnowServer server = WinnowServer.start(ServerConfig.ephemeral(dir))) {
            final String base = server.httpUrl();
            DeskDemo.seed(server.store()); // the demo lots' events, stored as the ingest stores them
            assertThat(call(base, "GET", "/desk", null, null).body()).contains("Customer desk");
            ok(call(base, "POST", "/api/desk/samples", "", null));
            // an upload of our own, then a re-upload that replaces it
            final JsonNode up = ok(call(base, "PUT", "/api/desk/documents/holidays.md",
                    "# Holidays\n\nThe mill is closed from 24 to 26 December.", "text/markdown"));
            assertThat(up.path("passages").asInt()).isEqualTo(1);
            ok(call(base, "PUT", "/api/desk/documents/holidays.md?kind=policy",
                    "# Holidays\n\nThe mill is closed from 23 to 27 December.", "text/markdown"));
            assertThat(ok(call(base, "GET", "/api/desk/documents/holidays.md", null, null)).path("text").asText())
                    .contains("23 to 27");
            final HttpResponse<String> bad = call(base, "PUT", "/api/desk/documents/x.docx", "abc", null);
            assertThat(bad.statusCode()).isEqualTo(415);
            assertThat(bad.body()).contains("upload Markdown");

            final JsonNode t = ok(call(base, "POST", "/api/desk/tickets", """
                    {"customer_email":"purchasing@shfineyarns.example","customer_name":"Ms. Wang",
                     "subject":"Lot A17","question":"How many contaminants were removed from lot LOT-2604-A17?",
                     "channel":"web"}""", "application/json"));
            final long id = t.path("ticket").path("id").asLong();
            final JsonNode draft = t.path("draft");
            assertThat(draft.path("mode").asText()).isEqualTo("extractive");
            // the figures come from the lot's certificate (its events: 41 + 17 + 9 + 4 + 2 removed over 6 t)
            final JsonNode cert = ok(call(base, "GET", "/api/lots/LOT-2604-A17/certificate", null, null));
            final int removed = cert.path("content").path("removed_total").asInt();
            assertThat(removed).isEqualTo(73);
            assertThat(draft.path("body").asText())
                    .contains(removed + " contaminants were removed, " + cert.path("content").path("removed_per_tonne").asText()
                            + " per tonne")
                    .contains("[1]");
            assertThat(draft.path("sources").get(0).path("key").asText()).isEqualTo("lot:LOT-2604-A17");
            assertThat(draft.path("guard").path("ok").asBoolean()).isTrue();
            assertThat(t.path("orders").size()).isEqualTo(2);

            // a wrong figure in an edit is flagged and blocks approval
            // a figure the cited certificate does not contain anywhere (its issue time and hash change every run,
            // so a fixed wrong figure such as 37 can occur in it by chance, e.g. issued at 09:37)
            final java.util.Set<String> inSource = NumberGuard.numbers(draft.path("sources").get(0).path("text").asText()
                    + " " + draft.path("sources").get(0).path("title").asText());
            int wrong = removed + 1;
            while (inSource.contains(String.valueOf(wrong))) {
                wrong++;
            }
            final String edited = draft.path("body").asText().replace(removed + " contaminants", wrong + " contaminants");
            assertThat(edited).isNotEqualTo(draft.path("body").asText());
            final JsonNode e = ok(call(base, "PUT", "/api/desk/tickets/" + id + "/draft",
                    JSON.createObjectNode().put("text", edited).put("agent", "ana").toString(), "application/json"));
            assertThat(e.path("draft").path("guard").path("flags").get(0).path("figure").asText()).isEqualTo(String.valueOf(wrong));
            assertThat(call(base, "POST", "/api/desk/tickets/" + id + "/approve", "{\"agent\":\"ana\"}",
                    "application/json").statusCode()).isEqualTo(409);
            // the agent adds a line the draft lacks, citing a passage found with the desk's search
            final JsonNode hit = ok(call(base, "POST", "/api/desk/search", "{\"query\":\"closed December\"}",
                    "application/json")).path("hits").get(0);
            assertThat(hit.path("id").asText()).isEqualTo("holidays.md#1");
            final String body = draft.path("body").asText();
            final int n = draft.path("sources").size() + 1;
            final String withHoliday = body.replace("Kind regards,",
                    "Our mill is closed from 23 to 27 December. [" + n + "]\nKind regards,");
            final JsonNode cited = ok(call(base, "POST", "/api/desk/tickets/" + id + "/sources", JSON.createObjectNode()
                    .put("passage", "holidays.md#1").put("text", withHoliday).put("agent", "ana").toString(),
                    "application/json"));
            assertThat(cited.path("cited").asInt()).isEqualTo(n);
            assertThat(cited.path("draft").path("sources").get(n - 1).path("key").asText()).isEqualTo("doc:holidays.md#1");
            assertThat(cited.path("draft").path("guard").path("flags").size()).as(cited.toString()).isZero();
            // a figure the new passage does not hold is flagged on that line
            final JsonNode off = ok(call(base, "PUT", "/api/desk/tickets/" + id + "/draft", JSON.createObjectNode()
                    .put("text", withHoliday.replace("23 to 27", "22 to 27")).toString(), "application/json"));
            assertThat(off.path("draft").path("guard").path("flags").get(0).path("figure").asText()).isEqualTo("22");
            final HttpResponse<String> noPassage = call(base, "POST", "/api/desk/tickets/" + id + "/sources",
                    "{\"passage\":\"holidays.md#9\"}", "application/json");
            assertThat(noPassage.statusCode()).isEqualTo(404);
            assertThat(noPassage.body()).contains("holidays.md#9");
            final String fixed = withHoliday.replace("Hello Ms. Wang,", "Dear Ms. Wang,");
            ok(call(base, "POST", "/api/desk/tickets/" + id + "/approve",
                    JSON.createObjectNode().put("text", fixed).put("agent", "ana").toString(), "application/json"));
            // no SMTP server configured yet: refused, still approved
            final HttpResponse<String> noSmtp = call(base, "POST", "/api/desk/tickets/" + id + "/send",
                    "{\"agent\":\"ana\"}", "application/json");
            assertThat(noSmtp.statusCode()).isEqualTo(409);
            assertThat(noSmtp.body()).contains("no SMTP server is configured");
            ok(call(base, "PUT", "/api/report-settings", "{\"smtp_host\":\"127.0.0.1\",\"smtp_port\":" + smtpPort
                    + ",\"smtp_from\":\"service@mill.example\"}", "application/json"));
            final HttpResponse<String> sendResp = call(base, "POST", "/api/desk/tickets/" + id + "/send",
                    "{\"agent\":\"ana\"}", "application/json");
            assertThat(sendResp.statusCode()).as(sendResp.body()).isEqualTo(200);
            final JsonNode sent = JSON.readTree(sendResp.body());
            assertThat(sent.path("ticket").path("status").asText()).isEqualTo("sent");
            assertThat(sent.path("ticket").path("edited").asBoolean()).isTrue();
            assertThat(sent.path("mail").get(0).path("state").asText()).isEqualTo("sent");
            assertThat(mail.waitForIncomingEmail(10_000, 1)).isTrue();
            final jakarta.mail.internet.MimeMessage got = mail.getReceivedMessages()[0];
            assertThat(got.getSubject()).isEqualTo("Re: Lot A17");
            assertThat(got.getAllRecipients()[0].toString()).isEqualTo("purchasing@shfineyarns.example");
            // the answer, then the cited lot's certificate as the PDF a manager downloads, with the approved figures
            final jakarta.mail.internet.MimeMultipart parts = (jakarta.mail.internet.MimeMultipart) got.getContent();
            assertThat(parts.getCount()).isEqualTo(2);
            assertThat(((String) parts.getBodyPart(0).getContent()).replace("\r\n", "\n")).startsWith(fixed.strip())
                    .contains("Sources:\n[1] Lot quality certificate");
            final String certId = draft.path("sources").get(0).path("title").asText().replaceAll(".*(WNW-[0-9A-F-]+).*", "$1");
            assertThat(parts.getBodyPart(1).getFileName()).isEqualTo("certificate-" + certId + ".pdf");
            assertThat(parts.getBodyPart(1).getContentType()).startsWith("application/pdf");
            try (java.io.InputStream pdf = parts.getBodyPart(1).getInputStream();
                 org.apache.pdfbox.pdmodel.PDDocument doc = org.apache.pdfbox.Loader.loadPDF(pdf.readAllBytes())) {
                final String text = new org.apache.pdfbox.text.PDFTextStripper().getText(doc);
                assertThat(text).contains(certId).contains(String.valueOf(removed));
            }
            assertThat(ok(call(base, "GET", "/api/desk/outbox?state=sent", null, null)).path("mail").size()).isEqualTo(1);
            ok(call(base, "POST", "/api/desk/tickets/" + id + "/feedback", "{\"rating\":1,\"comment\":\"exact\"}",
                    "application/json"));

            // a second question, escalated with its context; the first shows in the customer's history
            final JsonNode t2 = ok(call(base, "POST", "/api/desk/tickets", """
                    {"customer_email":"purchasing@shfineyarns.example","question":"Do you sell organic cotton from Egypt?"}
                    """, "application/json"));
            assertThat(t2.path("draft").path("guard").path("known").asBoolean()).isFalse();
            assertThat(t2.path("history").get(0).path("id").asLong()).isEqualTo(id);
            final long id2 = t2.path("ticket").path("id").asLong();
            final JsonNode esc = ok(call(base, "POST", "/api/desk/tickets/" + id2 + "/escalate",
                    "{\"specialist\":\"Dr. Mei Lin\",\"note\":\"product range\",\"agent\":\"ana\"}", "application/json"));
            assertThat(esc.path("ticket").path("status").asText()).isEqualTo("escalated");
            assertThat(esc.path("ticket").path("escalation").asText()).contains("organic").contains("latest_draft");

            final JsonNode an = ok(call(base, "GET", "/api/desk/analytics", null, null));
            assertThat(an.path("answered").asInt()).isEqualTo(1);
            assertThat(an.path("share_approved_without_edits").asDouble()).isEqualTo(0.0);
            assertThat(an.path("feedback").path("up").asInt()).isEqualTo(1);
            assertThat(ok(call(base, "POST", "/api/desk/orders/import",
                    "id,customer,status\nSO-1,Acme,received\n", "text/csv")).path("imported").asInt()).isEqualTo(1);
            assertThat(ok(call(base, "GET", "/api/desk/status", null, null)).path("mode").asText()).isEqualTo("extractive");
        } finally {
            mail.stop();
        }
    }
}
