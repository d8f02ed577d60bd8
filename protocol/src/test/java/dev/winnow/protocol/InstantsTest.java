package dev.winnow.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fast instant parser accepts exactly what Instant.parse accepts, with the same value. */
final class InstantsTest {

    private static void same(final String s) {
        Instant expected;
        try {
            expected = Instant.parse(s);
        } catch (final DateTimeParseException e) {
            expected = null;
        }
        Instant got;
        try {
            got = Instants.parse(s);
        } catch (final DateTimeParseException e) {
            got = null;
        }
        assertThat(got).as("'%s'", s).isEqualTo(expected);
        final Instant fast = Instants.fast(s);
        if (fast != null) {
            assertThat(fast).as("fast path of '%s'", s).isEqualTo(expected);
        }
    }

    @Test
    void handPickedCases() {
        for (final String s : new String[] {"2026-11-22T06:00:00Z", "2026-11-22T06:00:00.123Z",
                "2026-11-22T06:00:00.1Z", "2026-11-22T06:00:00.123456789Z", "2026-11-22T06:00:00.1234567891Z",
                "2026-11-22T06:00:00.Z", "2026-02-29T00:00:00Z", "2024-02-29T23:59:59.999Z", "2026-02-30T00:00:00Z",
                "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-11-31T00:00:00Z", "2026-11-22T24:00:00Z",
                "2026-11-22T23:60:00Z", "2026-11-22T23:59:60Z", "2026-11-22t06:00:00z", "2026-11-22T06:00:00+01:00",
                "2026-11-22T06:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "+10000-01-01T00:00:00Z",
                "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.5Z", "2026-11-22T06:00:0aZ", "2026-1-22T06:00:00Z",
                "2026-11-22 06:00:00Z", "", "Z", "2026-11-22T06:00:00.12a4Z", "2026-11-22T06:00:00,5Z"}) {
            same(s);
        }
    }

    @Test
    void randomInstantsAndMutationsAgree() {
        final Random random = new Random(11);
        final String alphabet = "0123456789-:.TZtz+ ";
        for (int i = 0; i < 20_000; i++) {
            final Instant t = Instant.ofEpochSecond(random.nextLong() % 100_000_000_000L,
                    random.nextInt(3) == 0 ? 0 : random.nextInt(1_000_000_000));
            String s = t.toString();
            same(s);
            if (random.nextBoolean()) {
                final char[] c = s.toCharArray();
                c[random.nextInt(c.length)] = alphabet.charAt(random.nextInt(alphabet.length()));
                s = new String(c);
                same(s);
            }
        }
    }
}
