package dev.winnow.server.demo;

import java.nio.file.Path;

/**
 * One simulated line's agent, as the demo starts it.
 *
 * @param index    1-based line number
 * @param site     site name, e.g. {@code demo-mill}
 * @param line     line name, e.g. {@code line-1}
 * @param device   device name, e.g. {@code pi-line-1}
 * @param seed     the simulation's seed (the line number, so each line differs and runs repeat)
 * @param mqttUrl  the broker, e.g. {@code tcp://127.0.0.1:1883}
 * @param httpUrl  the server's web address, where the agent sends each rejection's picture
 * @param stateDir the agent's own folder (outbox, model store)
 * @param log      where its stdout and stderr go
 */
public record AgentSpec(int index, String site, String line, String device, long seed, String mqttUrl,
                        String httpUrl, Path stateDir, Path log) {
}
