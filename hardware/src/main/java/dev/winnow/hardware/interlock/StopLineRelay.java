package dev.winnow.hardware.interlock;

/** The relay through which the agent can stop the conveyor (the "stop-line" fail-safe policy). Thread-safe. */
public interface StopLineRelay {

    /** @param stop true to stop the line, false to give the line its run permit back */
    void stopLine(boolean stop);

    /** @return true while the relay is holding the line stopped */
    boolean lineStopped();
}
