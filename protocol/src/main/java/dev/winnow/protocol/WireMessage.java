package dev.winnow.protocol;

/** Every payload on the wire. Each knows its topic kind; the codec knows its JSON. */
public sealed interface WireMessage permits Status, Stats, RejectEvent, RejectBatch, Alarm, Command, CommandResult {
    Kind kind();
}
