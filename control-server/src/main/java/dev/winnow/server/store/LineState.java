package dev.winnow.server.store;

import java.time.Instant;

/**
 * A line at a glance.
 *
 * @param devices    devices ever seen on the line
 * @param online     devices whose last status is {@code online}
 * @param lastSeen   nullable: last message from any device of the line
 * @param lastMinute rejections in the last 60 s
 */
public record LineState(String site, String line, int devices, int online, Instant lastSeen, long lastMinute) {
}
