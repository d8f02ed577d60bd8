package dev.winnow.server.desk;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winnow.server.cert.CertificateService;
import dev.winnow.server.store.Database;
import java.time.Clock;
import java.util.Optional;

/**
 * The lot tool: a lot's quality certificate (built from its inspection events by the reports'
 * {@link CertificateService}), or empty when no event names the lot.
 */
public interface LotTool {

    /** The certificate document as {@code GET /api/lots/{lot}/certificate} answers it. */
    Optional<JsonNode> certificate(String lot);

    static LotTool of(final Database db, final Clock clock) {
        final CertificateService svc = new CertificateService(db, clock);
        return lot -> svc.certificate(lot).map(CertificateService.Issued::document);
    }

    /** The certificate as text a person (and the number guard) reads: keys sorted, indented. */
    static String text(final JsonNode doc) {
        return CertificateService.canonicalPretty(doc);
    }
}
