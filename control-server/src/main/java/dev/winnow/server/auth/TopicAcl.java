package dev.winnow.server.auth;

import dev.winnow.protocol.Decoded;
import dev.winnow.protocol.Kind;
import dev.winnow.protocol.Topic;
import java.util.List;

/**
 * The topic rules, one place for the embedded broker's authorizer and Mosquitto's ACL file.
 *
 * <ul>
 * <li>A device publishes only its own {@code status}, {@code stats}, {@code events/reject}, {@code events/rejects},
 *     {@code events/alarm} and {@code cmd/{name}/result}, and subscribes only to its own
 *     {@code cmd/+} or {@code cmd/{name}}.</li>
 * <li>A service (the server) subscribes to anything under {@code winnow/v1/} (also as a shared
 *     subscription) and publishes commands ({@code cmd/{name}}) to any device.</li>
 * </ul>
 */
public final class TopicAcl {

    private static final String ROOT = Topic.ROOT + "/" + Topic.VERSION + "/";

    private TopicAcl() {
    }

    public static boolean canPublish(final Principal p, final String topic) {
        final Decoded<Topic> parsed = Topic.parse(topic);
        if (!(parsed instanceof Decoded.Ok<Topic> ok)) {
            return false;
        }
        final Topic t = ok.value();
        if (p.role() == Principal.Role.SERVICE) {
            return t.kind() == Kind.COMMAND;
        }
        return t.kind() != Kind.COMMAND && t.site().equals(p.site()) && t.line().equals(p.line())
                && t.device().equals(p.device()) && topic.equals(t.toString());
    }

    public static boolean canSubscribe(final Principal p, final String filter) {
        if (filter == null || filter.isEmpty()) {
            return false;
        }
        if (p.role() == Principal.Role.SERVICE) {
            String f = filter;
            if (f.startsWith("$share/")) {
                final int slash = f.indexOf('/', 7);
                if (slash < 0) {
                    return false;
                }
                f = f.substring(slash + 1);
            }
            return f.startsWith(ROOT) || f.equals(Topic.ROOT + "/" + Topic.VERSION + "/#");
        }
        final String own = p.prefix() + "cmd/";
        if (!filter.startsWith(own)) {
            return false;
        }
        final String rest = filter.substring(own.length());
        return rest.equals("+") || Topic.NAME.matcher(rest).matches();
    }

    /** Mosquitto ACL lines for one principal (after its {@code user} line). */
    public static List<String> mosquittoLines(final Principal p) {
        if (p.role() == Principal.Role.SERVICE) {
            return List.of("topic read " + ROOT + "#", "topic write " + ROOT + "+/+/+/cmd/+");
        }
        final String prefix = p.prefix();
        return List.of(
                "topic write " + prefix + Kind.STATUS.path(),
                "topic write " + prefix + Kind.STATS.path(),
                "topic write " + prefix + Kind.REJECT.path(),
                "topic write " + prefix + Kind.REJECT_BATCH.path(),
                "topic write " + prefix + Kind.ALARM.path(),
                "topic write " + prefix + "cmd/+/result",
                "topic read " + prefix + "cmd/+");
    }
}
