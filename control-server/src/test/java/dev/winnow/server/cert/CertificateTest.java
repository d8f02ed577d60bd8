package dev.winnow.server.cert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.server.report.BulkLoader;
import dev.winnow.server.report.LineDay;
import dev.winnow.server.report.LineSettings;
import dev.winnow.server.report.SeededMill;
import dev.winnow.server.store.Database;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateTest {

    @TempDir
    Path dir;

    @Test
    void certificateFiguresMatchRawDataAndTheHashVerifies() throws Exception {
        final Instant now = Instant.parse("2026-04-02T00:00:00Z");
        try (Database db = Database.open(Database.embeddedUrl(dir), null, null)) {
            final List<SeededMill.Event> events = new ArrayList<>();
            final List<SeededMill.StatsRow> stats = new ArrayList<>();
            try (BulkLoader l = new BulkLoader(db, now, n -> { })) {
                new SeededMill(11, "mill-c", 2, 6000, 60).generate(LocalDate.of(2026, 3, 30), 2,
                        new SeededMill.Sink() {
                            @Override
                            public void event(final SeededMill.Event e) {
                                events.add(e);
                                l.event(e);
                            }

                            @Override
                            public void stats(final SeededMill.StatsRow s) {
                                stats.add(s);
                                l.stats(s);
                            }

                            @Override
                            public void alarm(final SeededMill.AlarmRow a) {
                                l.alarm(a);
                            }
                        });
            }
            new LineSettings.Store(db).put(new LineSettings("mill-c", "line-02", 3000, 5, true), now);
            final CertificateService svc = new CertificateService(db, Clock.fixed(now, ZoneOffset.UTC));
            final String lot = "LOT-20260330-line-02-S2";

            final ObjectNode doc = svc.certificate(lot).orElseThrow().document();
            final ObjectNode k = (ObjectNode) doc.get("content");
            final Map<String, Long> removed = new TreeMap<>();
            long audit = 0;
            for (SeededMill.Event e : events) {
                if (e.lot().equals(lot)) {
                    if (e.audit()) {
                        audit++;
                    } else {
                        removed.merge(e.cls(), 1L, Long::sum);
                    }
                }
            }
            final long running = stats.stream().filter(s -> s.lot().equals(lot) && s.mode().equals("running"))
                    .mapToLong(s -> s.to().toEpochMilli() - s.from().toEpochMilli()).sum();
            final double tonnes = LineDay.tonnes(3000, running);
            assertThat(k.get("removed_total").asLong()).isEqualTo(removed.values().stream().mapToLong(x -> x).sum());
            removed.forEach((c, n) -> assertThat(k.get("removed_per_class").get(c).asLong()).isEqualTo(n));
            assertThat(k.get("audit_detections_excluded").asLong()).isEqualTo(audit);
            assertThat(k.get("lines")).hasSize(1);
            assertThat(k.get("lines").get(0).get("running_ms").asLong()).isEqualTo(running);
            assertThat(k.get("tonnes_inspected").asText()).isEqualTo(CertificateService.dec(tonnes, 3));
            assertThat(k.get("model_versions").get(0).asText()).startsWith("yolo-cotton-");

            // same figures, same certificate; the hash is SHA-256 of the canonical document without it
            final String id = doc.get("certificate_id").asText();
            assertThat(svc.certificate(lot).orElseThrow().id()).isEqualTo(id);
            final ObjectNode copy = doc.deepCopy();
            final String hash = copy.remove("sha256").asText();
            assertThat(CertificateService.sha256(CertificateService.canonical(copy))).isEqualTo(hash);
            assertThat(svc.verify(doc)).isTrue();
            final ObjectNode forged = doc.deepCopy();
            ((ObjectNode) forged.get("content")).put("removed_total", 1);
            assertThat(svc.verify(forged)).isFalse();
            assertThat(CertificateService.canonical(svc.byId(id).orElseThrow().document()))
                    .isEqualTo(CertificateService.canonical(doc));
            assertThat(svc.certificate("no-such-lot")).isEmpty();
            final byte[] pdf = CertificateWeb.pdf(svc.certificate(lot).orElseThrow());
            assertThat(new String(pdf, 0, 5)).isEqualTo("%PDF-");
            java.nio.file.Files.write(dir.resolve("cert.pdf"), pdf);
            java.nio.file.Files.write(Path.of(System.getProperty("java.io.tmpdir"), "winnow-cert-sample.pdf"), pdf);
        }
    }
}
