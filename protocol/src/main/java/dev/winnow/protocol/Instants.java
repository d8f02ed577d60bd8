package dev.winnow.protocol;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Parses ISO-8601 instants as {@link Instant#parse} does, with a fast path for the form every encoder here
 * writes ({@code 2026-11-22T06:00:00Z}, {@code 2026-11-22T06:00:00.123Z}, up to nine fraction digits):
 * {@code Instant.parse} goes through a general {@code DateTimeFormatter} and was the largest single cost of
 * decoding a rejection. Anything else (lower-case letters, offsets, a leap second, 24:00, other years)
 * goes to {@code Instant.parse}, so what is accepted, and its value, are exactly {@code Instant.parse}'s.
 */
final class Instants {

    private Instants() {
    }

    static Instant parse(final CharSequence s) {
        final Instant fast = fast(s);
        return fast != null ? fast : Instant.parse(s);
    }

    /** Nullable: null when {@code s} is not in the plain form (the caller then asks {@code Instant.parse}). */
    static Instant fast(final CharSequence s) {
        final int n = s.length();
        if (n < 20 || n > 30 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
                || s.charAt(13) != ':' || s.charAt(16) != ':' || s.charAt(n - 1) != 'Z') {
            return null;
        }
        final int year = digits(s, 0, 4);
        final int month = digits(s, 5, 2);
        final int day = digits(s, 8, 2);
        final int hour = digits(s, 11, 2);
        final int minute = digits(s, 14, 2);
        final int second = digits(s, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0
                || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int nanos = 0;
        if (n > 20) {
            if (s.charAt(19) != '.' || n == 21) {
                return null;
            }
            final int digits = n - 21;
            final int f = digits(s, 20, digits);
            if (f < 0) {
                return null;
            }
            nanos = f;
            for (int i = digits; i < 9; i++) {
                nanos *= 10;
            }
        }
        final long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay();
        } catch (final DateTimeException e) {
            return null; // e.g. 30 February: Instant.parse words the refusal
        }
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
    }

    /** The value of {@code len} ASCII digits at {@code from}, or -1. */
    private static int digits(final CharSequence s, final int from, final int len) {
        int v = 0;
        for (int i = from; i < from + len; i++) {
            final char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
