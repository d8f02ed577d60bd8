package dev.winnow.server.store;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/** A stored rejection as the pages and the API show it. */
public record Rejection(String id, String site, String line, String device, Instant time, String camera,
                        @JsonProperty("class") String cls, double confidence, double beltMm, double acrossMm,
                        double widthMm, double lengthMm, List<Integer> valves, double pulseMs, boolean audit,
                        String model, String lot, String crop, Instant receivedAt) {
}
