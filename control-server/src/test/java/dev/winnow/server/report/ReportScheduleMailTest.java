package dev.winnow.server.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.winnow.server.store.Database;
import dev.winnow.server.store.EventStore;
import io.javalin.Javalin;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The schedule (with a set clock), the archive, e-mail through a real local SMTP server, and the HTTP API. */
class ReportScheduleMailTest {

    @TempDir
    Path dir;

    @Test
    void scheduledReportIsMadeOnceArchivedAndMailedAndOnDemandJobsReportProgress() throws Exception {
        final int smtpPort;
        try (ServerSocket s = new ServerSocket(0)) {
            smtpPort = s.getLocalPort();
        }
        final GreenMail mail = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
        final ZoneId berlin = ZoneId.of("Europe/Berlin");
        final Instant[] now = {LocalDate.of(2026, 3, 30).atTime(0, 5).atZone(berlin).toInstant()};
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
        try (Database db = Database.open(Database.embeddedUrl(dir), null, null)) {
            try (BulkLoader l = new BulkLoader(db, now[0], n -> { })) {
                new SeededMill(3, "mill-a", 2, 4000, 60).generate(LocalDate.of(2026, 3, 27), 4, l);
                // a site installed after the report day: no scheduled report of a day it was not there
                new SeededMill(4, "mill-new", 1, 500, 60).generate(LocalDate.of(2026, 3, 31), 1, l);
            }
            final Javalin app = Javalin.create(c -> c.showJavalinBanner = false);
            try (Reports reports = Reports.install(app, new EventStore(db), clock)) {
                app.start("127.0.0.1", 0);
                reports.settings().put(new ReportSettings(berlin, LocalTime.of(0, 15), true,
                        List.of("manager@mill.example", "qa@mill.example"), "127.0.0.1", smtpPort, "winnow@mill.example",
                        null, false), now[0]);

                assertThat(reports.tick()).as("before run_at").isEmpty();
                now[0] = LocalDate.of(2026, 3, 30).atTime(0, 20).atZone(berlin).toInstant();
                final List<ReportArchive.Entry> made = reports.tick();
                assertThat(made).hasSize(1);
                assertThat(made.get(0).day()).isEqualTo(LocalDate.of(2026, 3, 29));
                assertThat(made.get(0).site()).isEqualTo("mill-a");
                assertThat(made.get(0).emailedTo()).isEqualTo("manager@mill.example,qa@mill.example");
                assertThat(reports.tick()).as("only once").isEmpty();

                assertThat(mail.waitForIncomingEmail(10_000, 2)).isTrue();
                final MimeMessage[] got = mail.getReceivedMessages();
                assertThat(got).hasSize(2);
                assertThat(got[0].getSubject()).startsWith("Winnow daily quality report mill-a 2026-03-29");
                final MimeMultipart mp = (MimeMultipart) got[0].getContent();
                assertThat(mp.getCount()).isEqualTo(3);
                assertThat(mp.getBodyPart(1).getFileName()).isEqualTo("winnow-mill-a-2026-03-29.pdf");
                assertThat(mp.getBodyPart(1).getInputStream().readNBytes(5)).isEqualTo("%PDF-".getBytes());
                assertThat(mp.getBodyPart(2).getFileName()).endsWith(".csv");

                // on demand, over HTTP, with progress
                final HttpClient http = HttpClient.newHttpClient();
                final String base = "http://127.0.0.1:" + app.port();
                final ObjectMapper json = new ObjectMapper();
                final HttpResponse<String> sub = http.send(HttpRequest.newBuilder(URI.create(base + "/api/reports/generate"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"site\":\"mill-a\",\"day\":\"2026-03-28\","
                                + "\"zone\":\"Europe/Berlin\"}")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(sub.statusCode()).isEqualTo(202);
                final String jobId = json.readTree(sub.body()).get("id").asText();
                JsonNode job;
                final long deadline = System.currentTimeMillis() + 60_000;
                do {
                    Thread.sleep(100);
                    job = json.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/api/report-jobs/" + jobId))
                            .build(), HttpResponse.BodyHandlers.ofString()).body());
                    assertThat(job.get("progress").asDouble()).isBetween(0.0, 1.0);
                } while (!job.get("state").asText().matches("done|failed") && System.currentTimeMillis() < deadline);
                assertThat(job.get("state").asText()).isEqualTo("done");
                final String id = job.get("reportId").asText();
                final HttpResponse<byte[]> pdf = http.send(HttpRequest.newBuilder(URI.create(base + "/api/reports/" + id
                        + "/pdf")).build(), HttpResponse.BodyHandlers.ofByteArray());
                assertThat(pdf.statusCode()).isEqualTo(200);
                assertThat(new String(pdf.body(), 0, 5)).isEqualTo("%PDF-");
                final String html = http.send(HttpRequest.newBuilder(URI.create(base + "/reports/" + id)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(html).contains("Daily quality report", "<svg", "line-01", "line-02");
                final String csv = http.send(HttpRequest.newBuilder(URI.create(base + "/api/reports/" + id + "/csv"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body();
                assertThat(csv).startsWith("site,day,zone,line,section,key,value\n").contains(",line,tonnes,");
                final JsonNode list = json.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/api/reports"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body());
                assertThat(list.get("reports")).hasSize(2);
                assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/reports")).build(),
                        HttpResponse.BodyHandlers.ofString()).body()).contains("Daily quality reports");
                final HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(base
                        + "/api/line-settings/mill-a/line-01")).PUT(HttpRequest.BodyPublishers.ofString(
                        "{\"throughput_kg_h\":1800,\"grams_per_ejection\":3}")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(put.statusCode()).isEqualTo(200);
                assertThat(reports.lineSettings().get("mill-a", "line-01").throughputKgH()).isEqualTo(1800);
            } finally {
                app.stop();
                mail.stop();
            }
        }
    }
}
