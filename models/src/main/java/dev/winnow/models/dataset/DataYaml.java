package dev.winnow.models.dataset;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The class names of a YOLO-format {@code data.yaml}. Parses only the subset that Ultralytics, Roboflow,
 * CVAT and Label Studio write for {@code names} (flow list, block list, or index map) and {@code nc}; all
 * other keys are ignored, so no YAML library is needed.
 *
 * @param names class names in index order, never null or empty
 */
public record DataYaml(List<String> names) {

    public DataYaml {
        names = List.copyOf(names);
    }

    public static DataYaml load(final Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /**
     * @param text   the YAML text
     * @param source file name for error messages
     * @throws IllegalArgumentException when there is no usable {@code names}, or {@code nc} disagrees with it
     */
    public static DataYaml parse(final String text, final String source) {
        final String[] lines = text.split("\\R");
        List<String> names = null;
        int nc = -1;
        for (int i = 0; i < lines.length; i++) {
            final String line = stripComment(lines[i]);
            if (line.isBlank() || Character.isWhitespace(line.charAt(0))) {
                continue;
            }
            final int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            final String key = line.substring(0, colon).trim();
            final String value = line.substring(colon + 1).trim();
            if (key.equals("nc")) {
                try {
                    nc = Integer.parseInt(value);
                } catch (final NumberFormatException e) {
                    throw new IllegalArgumentException(source + ": 'nc' must be an integer but is '" + value + "'");
                }
            } else if (key.equals("names")) {
                if (value.startsWith("[")) {
                    if (!value.endsWith("]")) {
                        throw new IllegalArgumentException(source + ": 'names' flow list must be on one line");
                    }
                    names = new ArrayList<>();
                    for (final String part : value.substring(1, value.length() - 1).split(",")) {
                        if (!part.isBlank()) {
                            names.add(unquote(part.trim()));
                        }
                    }
                } else if (value.isEmpty()) {
                    names = block(lines, i + 1, source);
                } else {
                    throw new IllegalArgumentException(source + ": cannot read 'names: " + value + "'");
                }
            }
        }
        if (names == null || names.isEmpty()) {
            throw new IllegalArgumentException(source + ": no class 'names' found");
        }
        if (nc >= 0 && nc != names.size()) {
            throw new IllegalArgumentException(source + ": 'nc' is " + nc + " but 'names' lists " + names.size());
        }
        return new DataYaml(names);
    }

    private static List<String> block(final String[] lines, final int from, final String source) {
        final List<String> list = new ArrayList<>();
        final TreeMap<Integer, String> map = new TreeMap<>();
        for (int i = from; i < lines.length; i++) {
            final String raw = stripComment(lines[i]);
            if (raw.isBlank()) {
                continue;
            }
            if (!Character.isWhitespace(raw.charAt(0)) && !raw.startsWith("-")) {
                break;
            }
            final String l = raw.trim();
            if (l.startsWith("- ") || l.equals("-")) {
                list.add(unquote(l.substring(1).trim()));
            } else {
                final int c = l.indexOf(':');
                if (c < 0) {
                    throw new IllegalArgumentException(source + ": cannot read names entry '" + l + "'");
                }
                try {
                    map.put(Integer.parseInt(l.substring(0, c).trim()), unquote(l.substring(c + 1).trim()));
                } catch (final NumberFormatException e) {
                    throw new IllegalArgumentException(source + ": names key '" + l.substring(0, c) + "' is not an index");
                }
            }
        }
        if (!map.isEmpty()) {
            int expect = 0;
            for (final var e : map.entrySet()) {
                if (e.getKey() != expect++) {
                    throw new IllegalArgumentException(source + ": names indices must run 0.." + (map.size() - 1));
                }
                list.add(e.getValue());
            }
        }
        return list;
    }

    private static String stripComment(final String line) {
        boolean single = false;
        boolean dbl = false;
        for (int i = 0; i < line.length(); i++) {
            final char c = line.charAt(i);
            if (c == '\'' && !dbl) {
                single = !single;
            } else if (c == '"' && !single) {
                dbl = !dbl;
            } else if (c == '#' && !single && !dbl && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    private static String unquote(final String s) {
        if (s.length() >= 2 && ((s.startsWith("'") && s.endsWith("'")) || (s.startsWith("\"") && s.endsWith("\"")))) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }
}
