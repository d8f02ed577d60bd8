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
    /**
     * Most rejections in one {@link RejectBatch}. The payload limit binds first for typical events
     * (about 300 bytes each: some 200 to a 64 KiB message); this bounds the work a tiny-event batch can cause.
     */
    public static final int MAX_BATCH_EVENTS = 500;

    private Schema() {
    }
}
