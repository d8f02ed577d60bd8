package dev.winnow.server.auth;

import dev.winnow.server.line.Json;
import dev.winnow.server.store.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code winnow-server enrol --site S --line L --device D}: issues a device's MQTT credentials and prints
 * them once (JSON last line, the agent's {@code credentials.json}); only the hash is stored.
 * {@code --service NAME} issues a service account (a server's ingest on an external broker).
 */
@Command(name = "enrol", mixinStandardHelpOptions = true,
        description = "Issue MQTT credentials for a device (or a service); prints the secret once.")
public final class EnrolCommand implements Callable<Integer> {

    static final class Who {
        @ArgGroup(exclusive = false, multiplicity = "1")
        Device device;

        @Option(names = "--service", paramLabel = "NAME", description = "a service account instead of a device")
        String service;
    }

    static final class Device {
        @Option(names = "--site", required = true)
        String site;

        @Option(names = "--line", required = true)
        String line;

        @Option(names = "--device", required = true)
        String device;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Who who;

    @Option(names = "--rotate", description = "replace existing credentials (the old secret stops working)")
    boolean rotate;

    @Option(names = "--out", paramLabel = "FILE", description = "also write the JSON to FILE (mode 600), e.g. the agent's STATE/credentials.json")
    Path out;

    @Mixin
    StoreOptions store;

    @Override
    public Integer call() throws Exception {
        final Credentials c;
        try (Database db = store.open()) {
            final DeviceRegistry registry = new DeviceRegistry(db);
            try {
                c = who.service != null ? registry.enrolService(who.service, rotate)
                        : registry.enrol(who.device.site, who.device.line, who.device.device, rotate);
            } catch (IllegalArgumentException | IllegalStateException e) {
                System.err.println("winnow-server: " + e.getMessage());
                System.out.println(Json.write(Map.of("error", String.valueOf(e.getMessage()))));
                return 2;
            }
        }
        if (out != null) {
            if (out.getParent() != null) {
                Files.createDirectories(out.getParent());
            }
            Files.writeString(out, c.toJson() + "\n");
            try {
                Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not POSIX
            }
        }
        System.out.println("Enrolled " + c.username() + ". The password is shown only now: keep it in the agent's "
                + "credentials.json (or WINNOW_MQTT_USERNAME/WINNOW_MQTT_PASSWORD). For Mosquitto, run "
                + "'winnow-server mosquitto-files' and reload it.");
        System.out.println(c.toJson());
        return 0;
    }
}
