package dev.winnow.protocol;

/** Versions and limits of the wire format, shared by both ends. */
public final class Schema {
    /** The payload schema this build writes and the only one it reads. */
    public static final int VERSION = 1;
    /** Largest payload accepted; crops travel by reference, so events are small. */
    public static final int MAX_PAYLOAD_BYTES = 64 * 1024;
    /** Event and command ids: long enough for a UUID or a device-prefixed counter. */
    public static final int MAX_ID_LENGTH = 64;
    public static final int MAX_TEXT_LENGTH = 1024;
    public static final int MAX_NAME_LENGTH = 64;
    public static final int MAX_MAP_ENTRIES = 64;
    public static final int MAX_VALVES = 512;

    private Schema() {
    }
}
