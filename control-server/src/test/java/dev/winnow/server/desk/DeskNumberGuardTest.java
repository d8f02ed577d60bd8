package dev.winnow.server.desk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DeskNumberGuardTest {

    private static final List<Source> SOURCES = List.of(
            new Source("lot:L-1", "lot", "Certificate WNW-1", "{\"removed_total\": 1200, \"tonnes_inspected\": \"6.000\", "
                    + "\"removed_per_tonne\": \"12.167\", \"from\": \"2026-04-10T06:00:00Z\"}", null),
            new Source("doc:p#2", "passage", "Returns policy › 1. Time limits",
                    "Unopened bales may be returned within 30 days of delivery.", null));

    @Test
    void figuresFoundInTheCitedSourcePass() {
        final NumberGuard.Result r = NumberGuard.check("""
                Hello,
                Lot L-1: 6 t inspected from 2026-04-10 06:00 UTC; 1,200 removed, 12.167 per tonne. [1]
                You may return unopened bales within 30 days. [2]
                Kind regards,""", SOURCES);
        assertThat(r.flags()).isEmpty();
        assertThat(r.statements()).isEqualTo(2);
        assertThat(r.coverage()).isEqualTo(1.0);
        // L-1, 2026-04-10, 6:00, then 6, 1200, 12.167 and 30
        assertThat(r.figures()).isEqualTo(7);
    }

    @Test
    void aChangedFigureAFigureFromTheWrongSourceAndAnUncitedFigureAreFlagged() {
        final NumberGuard.Result r = NumberGuard.check("""
                1,200 removed, 12.17 per tonne. [1]
                You may return bales within 6 days. [2]
                Refunds take 14 business days.
                See source [3].""", SOURCES);
        assertThat(r.flags()).extracting(NumberGuard.Flag::figure).containsExactly("12.17", "6", "14", null);
        assertThat(r.flags().get(0).reason()).contains("not in the cited source");
        assertThat(r.flags().get(2).reason()).contains("no cited source");
        assertThat(r.flags().get(3).reason()).contains("[3]");
        assertThat(r.unsupportedFigures()).isEqualTo(3);
        assertThat(r.coverage()).isEqualTo(2.0 / 3);
    }

    @Test
    void numbersCompareByValueAndLinesWithoutFiguresNeedNoCheck() {
        assertThat(NumberGuard.canonical("12.50")).isEqualTo("12.5");
        assertThat(NumberGuard.canonical("1,200")).isEqualTo("1200");
        assertThat(NumberGuard.check("We will look into it and reply soon.", SOURCES).flags()).isEmpty();
        assertThat(NumberGuard.check("批次共检测 6.000 吨。[1]", SOURCES).ok()).isTrue();
        // digits inside hashes and codes are not figures: a 7 is not "found" in sha256 d7e9...
        final List<Source> hashed = List.of(new Source("lot:A17", "lot", "c", "{\"sha256\": \"d7e9f0\", \"lot\": \"A17\"}", null));
        assertThat(NumberGuard.check("Lot A17: 7 tonnes. [1]", hashed).flags()).extracting(NumberGuard.Flag::figure)
                .containsExactly("7");
    }

    @Test
    void digitsOfATimestampOrACodeDoNotVouchForLooseFigures() {
        // the source's timestamp holds 06, 04 and 10, its id holds 1: none of them is a figure of its own
        final NumberGuard.Result r = NumberGuard.check("Lot L-1 had 6 contaminants, 4 of them twine, in 10 hours. [1]",
                List.of(new Source("lot:L-1", "lot", "Certificate WNW-1", "{\"lot\": \"L-1\", "
                        + "\"from\": \"2026-04-10T06:00:00Z\", \"removed_total\": 1200}", null)));
        assertThat(r.flags()).extracting(NumberGuard.Flag::figure).containsExactly("6", "4", "10");
        // and the same date and time written differently still match, as a whole
        assertThat(NumberGuard.check("批次 L-1 于 2026年4月10日 6:00 开始检测。[1]", SOURCES).flags()).isEmpty();
        assertThat(NumberGuard.check("Lot L-1 started on 2026-04-11 at 06:00. [1]", SOURCES).flags())
                .extracting(NumberGuard.Flag::figure).containsExactly("2026-04-11");
    }

    @Test
    void aTimeWrittenToTheMinuteIsSupportedByTheSourcesSecondsButNotRoundedUp() {
        // the lot card writes its period to the minute; certificates hold instants to the millisecond
        final List<Source> cert = List.of(new Source("lot:BALE-1", "lot", "Certificate WNW-2",
                "{\"from\": \"2026-12-04T18:27:52.023Z\", \"to\": \"2026-12-04T18:28:28.332Z\"}", null));
        assertThat(NumberGuard.check("Lot BALE-1 ran from 2026-12-04 18:27 UTC to 2026-12-04 18:28 UTC. [1]", cert)
                .flags()).isEmpty();
        assertThat(NumberGuard.check("Lot BALE-1 ran from 2026-12-04 18:28 UTC to 18:29 UTC. [1]", cert).flags())
                .extracting(NumberGuard.Flag::figure).containsExactly("18:29");
        assertThat(NumberGuard.check("Lot BALE-1 started at 18:27:53. [1]", cert).flags())
                .extracting(NumberGuard.Flag::figure).containsExactly("18:27:53");
    }

    @Test
    void theSignatureIsNotAStatementButItsFiguresAreStillChecked() {
        final NumberGuard.Result r = NumberGuard.check("""
                You may return unopened bales within 30 days. [2]
                Kind regards,
                Ana Souza, Customer service team""", SOURCES);
        assertThat(r.statements()).isEqualTo(1);
        assertThat(r.coverage()).isEqualTo(1.0);
        assertThat(NumberGuard.check("Returns within 30 days. [2]\nKind regards,\nAna, returns within 45 days", SOURCES)
                .flags()).extracting(NumberGuard.Flag::figure).containsExactly("45");
    }
}
