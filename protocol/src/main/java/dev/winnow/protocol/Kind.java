package dev.winnow.protocol;

/** What a topic carries: the last part of {@code winnow/v1/{site}/{line}/{device}/{kind}}. */
public enum Kind {
    STATUS("status", 1, true),
    STATS("stats", 0, false),
    REJECT("events/reject", 1, false),
    /** Several rejections in one message ({@link RejectBatch}); servers read both this and {@link #REJECT}. */
    REJECT_BATCH("events/rejects", 1, false),
    ALARM("events/alarm", 1, false),
    /** {@code cmd/{name}}: server to device. */
    COMMAND("cmd", 1, false),
    /** {@code cmd/{name}/result}: device to server. */
    COMMAND_RESULT("cmd", 1, false);

    private final String path;
    private final int qos;
    private final boolean retained;

    Kind(final String path, final int qos, final boolean retained) {
        this.path = path;
        this.qos = qos;
        this.retained = retained;
    }

    /** The fixed part of the topic suffix ({@code cmd} for both command kinds). */
    public String path() {
        return path;
    }

    public int qos() {
        return qos;
    }

    public boolean retained() {
        return retained;
    }
}
