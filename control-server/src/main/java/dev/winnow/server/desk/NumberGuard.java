package dev.winnow.server.desk;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks every figure of a draft against the sources it cites. A draft is read line by line; a
 * line's citations are its markers {@code [n]} (or {@code [n, m]}), numbering the draft's sources
 * from 1. Each number in a line must occur in one of the sources that line cites; a figure in a
 * line that cites nothing is unsupported too. Numbers compare by value ({@code 12.50} = {@code 12.5},
 * {@code 1,200} = {@code 1200}); digits inside codes and dates count as numbers on both sides, so a
 * lot code quoted exactly passes.
 */
public final class NumberGuard {

    static final Pattern MARKER = Pattern.compile("\\[(\\d{1,3}(?:\\s*,\\s*\\d{1,3})*)]");
    /**
     * A number standing on its own: not glued to Latin letters (so the digits inside hashes, ids like
     * {@code A17} or {@code 9DAE3} are not figures; both sides are read alike, so quoting a code is fine).
     */
    static final Pattern NUMBER = Pattern.compile(
            "(?<![A-Za-z0-9.])(?:\\d{1,3}(?:,\\d{3})++(?:\\.\\d++)?+|\\d++(?:\\.\\d++)?+)(?![A-Za-z0-9])");
    /** ISO instants as sources write them, read as a person writes them: 2026-04-10T06:00:00Z = 2026-04-10 06:00:00 UTC. */
    static final Pattern ISO = Pattern.compile("(\\d{4}-\\d{2}-\\d{2})T(\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?)Z");

    /**
     * A code joined by hyphens with letters and digits ({@code L-1}, {@code WNW-2026-0412}, {@code PO-88}): one
     * figure compared whole, so its digits do not vouch for loose numbers of a draft.
     */
    static final Pattern CODE = Pattern.compile("(?<![A-Za-z0-9-])(?=[A-Za-z0-9-]*[A-Za-z])(?=[A-Za-z0-9-]*\\d)"
            + "[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+(?![A-Za-z0-9-])");
    /** A calendar date, ISO or Chinese ({@code 2026年4月10日}): one figure, compared whole. */
    static final Pattern DATE = Pattern.compile(
            "(?<![\\d-])(\\d{4})(?:-(\\d{2})-(\\d{2})|年(\\d{1,2})月(\\d{1,2})日)(?![\\d-])");
    /** A clock time: one figure, compared whole ({@code 06:00} = {@code 6:00:00}). */
    static final Pattern TIME = Pattern.compile("(?<![\\d:])(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.\\d+)?)?(?![\\d:])");

    /** A sign-off line; the lines after it are the signature (their figures are still checked). */
    static final Pattern SIGN_OFF = Pattern.compile("(?i)(kind regards|best regards|regards|best wishes|sincerely|"
            + "yours sincerely|thank you|此致|敬礼|祝好)[,，.。!！]?");

    /** A figure that its line's sources do not contain. */
    public record Flag(int line, String text, String figure, String reason) {
    }

    /**
     * @param statements lines that state something (see {@link #isStatement})
     * @param cited      of those, the lines citing at least one existing source
     * @param figures    numbers stated
     * @param flags      unsupported figures and bad markers
     */
    public record Result(int statements, int cited, int figures, List<Flag> flags) {
        public boolean ok() {
            return flags.isEmpty();
        }

        public double coverage() {
            return statements == 0 ? 1.0 : (double) cited / statements;
        }

        public long unsupportedFigures() {
            return flags.stream().filter(f -> f.figure() != null).count();
        }
    }

    private NumberGuard() {
    }

    public static Result check(final String draft, final List<Source> sources) {
        final List<Set<String>> sourceNumbers = new ArrayList<>();
        for (final Source s : sources) {
            sourceNumbers.add(numbers(s.key() + " " + s.title() + " " + s.text()));
        }
        final List<Flag> flags = new ArrayList<>();
        int statements = 0;
        int cited = 0;
        int figures = 0;
        boolean signature = false;
        final String[] lines = draft == null ? new String[0] : draft.split("\n");
        for (int i = 0; i < lines.length; i++) {
            final String line = lines[i];
            final Set<Integer> cites = new LinkedHashSet<>();
            final Matcher m = MARKER.matcher(line);
            while (m.find()) {
                for (final String n : m.group(1).split(",")) {
                    final int k = Integer.parseInt(n.strip());
                    if (k >= 1 && k <= sources.size()) {
                        cites.add(k);
                    } else {
                        flags.add(new Flag(i + 1, line, null, "cites [" + k + "], which is not among the sources"));
                    }
                }
            }
            final String bare = MARKER.matcher(line).replaceAll(" ");
            if (SIGN_OFF.matcher(bare.strip()).matches()) {
                signature = true; // what follows is the agent's name and title, not a statement to source
            }
            if (!signature && isStatement(bare)) {
                statements++;
                if (!cites.isEmpty()) {
                    cited++;
                }
            }
            final Set<String> allowed = new HashSet<>();
            for (final int k : cites) {
                allowed.addAll(sourceNumbers.get(k - 1));
            }
            for (final String n : numberList(bare)) {
                figures++;
                if (!allowed.contains(n)) {
                    flags.add(new Flag(i + 1, line.strip(), n, cites.isEmpty()
                            ? "figure " + n + " with no cited source"
                            : "figure " + n + " is not in the cited source" + (cites.size() > 1 ? "s " : " ") + cites));
                }
            }
        }
        return new Result(statements, cited, figures, List.copyOf(flags));
    }

    /**
     * A line that states something: at least 20 characters (6 for Chinese), not a lead-in ending
     * with a colon, not a greeting or sign-off.
     */
    static boolean isStatement(final String line) {
        final String l = line.strip();
        if (l.isEmpty() || l.endsWith(":") || l.endsWith("：")) {
            return false;
        }
        return Lang.isChinese(l) ? l.length() >= 8 : l.length() >= 20;
    }

    /**
     * The canonical values of the numbers in a source. A clock time with seconds also vouches for the same
     * time to the minute: a draft writes 18:27 for a source's 18:27:52 (truncated, never rounded up, so
     * 18:28 stays unsupported).
     */
    static Set<String> numbers(final String text) {
        final Set<String> out = new HashSet<>();
        for (final String n : numberList(text)) {
            out.add(n);
            final Matcher t = MINUTE_OF_TIME.matcher(n);
            if (t.matches()) {
                out.add(t.group(1));
            }
        }
        return out;
    }

    /** A canonical clock time with seconds ({@code 18:27:52}); group 1 is its minute ({@code 18:27}). */
    private static final Pattern MINUTE_OF_TIME = Pattern.compile("(\\d{1,2}:\\d{2}):\\d{2}");

    /**
     * The figures of a text in order: codes, dates and clock times whole (so the 06 of a timestamp or the 1 of
     * lot L-1 never vouches for a "6" or a "1" elsewhere), then the remaining numbers by value.
     */
    static List<String> numberList(final String text) {
        final List<String> out = new ArrayList<>();
        String rest = text == null ? "" : ISO.matcher(text).replaceAll("$1 $2 UTC");
        rest = take(CODE, rest, out, m -> m.group().toUpperCase(java.util.Locale.ROOT));
        rest = take(DATE, rest, out, m -> m.group(2) != null
                ? m.group(1) + "-" + m.group(2) + "-" + m.group(3)
                : "%s-%02d-%02d".formatted(m.group(1), Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5))));
        rest = take(TIME, rest, out, m -> Integer.parseInt(m.group(1)) + ":" + m.group(2)
                + (m.group(3) == null || m.group(3).equals("00") ? "" : ":" + m.group(3)));
        final Matcher m = NUMBER.matcher(rest);
        while (m.find()) {
            out.add(canonical(m.group()));
        }
        return out;
    }

    /** Adds each match of {@code p} as one figure and blanks it out of the text. */
    private static String take(final Pattern p, final String text, final List<String> out,
                               final java.util.function.Function<Matcher, String> figure) {
        final Matcher m = p.matcher(text);
        final StringBuilder rest = new StringBuilder(text.length());
        while (m.find()) {
            out.add(figure.apply(m));
            m.appendReplacement(rest, " ");
        }
        m.appendTail(rest);
        return rest.toString();
    }

    static String canonical(final String n) {
        final String plain = n.replace(",", "");
        try {
            return new BigDecimal(plain).stripTrailingZeros().toPlainString();
        } catch (NumberFormatException e) {
            return plain;
        }
    }
}
