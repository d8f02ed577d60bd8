package dev.winnow.protocol;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A parsed topic {@code winnow/v1/{site}/{line}/{device}/{kind}}.
 *
 * @param command the command name for {@link Kind#COMMAND} and {@link Kind#COMMAND_RESULT};
 *                nullable (and null) for every other kind
 */
public record Topic(String site, String line, String device, Kind kind, String command) {

    public static final String ROOT = "winnow";
    public static final String VERSION = "v1";
    /** Site, line, device and command names: lower-case, digits, dash and underscore. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    public Topic {
        requireName("site", site);
        requireName("line", line);
        requireName("device", device);
        Objects.requireNonNull(kind, "kind");
        final boolean isCommand = kind == Kind.COMMAND || kind == Kind.COMMAND_RESULT;
        if (isCommand) {
            requireName("command", command);
        } else if (command != null) {
            throw new IllegalArgumentException("only command topics carry a command name");
        }
    }

    public static Topic of(final String site, final String line, final String device, final Kind kind) {
        return new Topic(site, line, device, kind, null);
    }

    public static Topic command(final String site, final String line, final String device, final String name) {
        return new Topic(site, line, device, Kind.COMMAND, name);
    }

    public static Topic commandResult(final String site, final String line, final String device, final String name) {
        return new Topic(site, line, device, Kind.COMMAND_RESULT, name);
    }

    /** {@code winnow/v1/{site}/{line}/{device}/}: everything one device owns. */
    public static String devicePrefix(final String site, final String line, final String device) {
        return ROOT + "/" + VERSION + "/" + site + "/" + line + "/" + device + "/";
    }

    /** A subscription filter for one kind from every device of every site. */
    public static String filterAll(final Kind kind) {
        return switch (kind) {
            case COMMAND -> ROOT + "/" + VERSION + "/+/+/+/cmd/+";
            case COMMAND_RESULT -> ROOT + "/" + VERSION + "/+/+/+/cmd/+/result";
            default -> ROOT + "/" + VERSION + "/+/+/+/" + kind.path();
        };
    }

    @Override
    public String toString() {
        final String prefix = devicePrefix(site, line, device);
        return switch (kind) {
            case COMMAND -> prefix + "cmd/" + command;
            case COMMAND_RESULT -> prefix + "cmd/" + command + "/result";
            default -> prefix + kind.path();
        };
    }

    /** Parses a topic, naming the part at fault when it is not a Winnow topic. */
    public static Decoded<Topic> parse(final String topic) {
        if (topic == null || topic.isEmpty()) {
            return fail(null, "topic is empty");
        }
        final String[] parts = topic.split("/", -1);
        if (parts.length < 6) {
            return fail(null, "topic '" + abbreviate(topic) + "' has " + parts.length
                    + " levels; expected winnow/v1/{site}/{line}/{device}/{kind}");
        }
        if (!ROOT.equals(parts[0])) {
            return fail("root", "topic must start with 'winnow/', got '" + abbreviate(parts[0]) + "'");
        }
        if (!VERSION.equals(parts[1])) {
            return fail("version", "unsupported topic version '" + abbreviate(parts[1]) + "'; this build speaks " + VERSION);
        }
        final String[] names = {"site", "line", "device"};
        for (int i = 0; i < names.length; i++) {
            if (!NAME.matcher(parts[2 + i]).matches()) {
                return fail(names[i], names[i] + " '" + abbreviate(parts[2 + i]) + "' must match " + NAME.pattern());
            }
        }
        final String site = parts[2];
        final String line = parts[3];
        final String device = parts[4];
        final int rest = parts.length - 5;
        final String k0 = parts[5];
        if (rest == 1 && k0.equals("status")) {
            return Decoded.ok(of(site, line, device, Kind.STATUS));
        }
        if (rest == 1 && k0.equals("stats")) {
            return Decoded.ok(of(site, line, device, Kind.STATS));
        }
        if (rest == 2 && k0.equals("events") && parts[6].equals("reject")) {
            return Decoded.ok(of(site, line, device, Kind.REJECT));
        }
        if (rest == 2 && k0.equals("events") && parts[6].equals("rejects")) {
            return Decoded.ok(of(site, line, device, Kind.REJECT_BATCH));
        }
        if (rest == 2 && k0.equals("events") && parts[6].equals("alarm")) {
            return Decoded.ok(of(site, line, device, Kind.ALARM));
        }
        if ((rest == 2 || rest == 3) && k0.equals("cmd")) {
            if (!NAME.matcher(parts[6]).matches()) {
                return fail("command", "command name '" + abbreviate(parts[6]) + "' must match " + NAME.pattern());
            }
            if (rest == 2) {
                return Decoded.ok(command(site, line, device, parts[6]));
            }
            if (parts[7].equals("result")) {
                return Decoded.ok(commandResult(site, line, device, parts[6]));
            }
        }
        return fail("kind", "unknown topic kind '" + abbreviate(topic.substring(prefixLength(parts))) + "'");
    }

    private static int prefixLength(final String[] parts) {
        int n = 0;
        for (int i = 0; i < 5; i++) {
            n += parts[i].length() + 1;
        }
        return n;
    }

    private static Decoded<Topic> fail(final String field, final String message) {
        return Decoded.failed(new DecodeError(DecodeError.Rule.BAD_TOPIC, field, message));
    }

    static String abbreviate(final String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    private static void requireName(final String what, final String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " '" + value + "' must match " + NAME.pattern());
        }
    }
}
