package dev.winnow.hardware.sim;

import dev.winnow.hardware.encoder.BeltEncoder;

/** The virtual line's encoder: counts derived from the line clock and belt speed. */
final class VirtualEncoder implements BeltEncoder {

    private final VirtualLine line;

    VirtualEncoder(final VirtualLine line) {
        this.line = line;
    }

    @Override
    public long count() {
        return line.encoderCountAt(line.clock().nanos());
    }

    @Override
    public double mmPerCount() {
        return line.scenario().belt().encoderMmPerCount();
    }
}
