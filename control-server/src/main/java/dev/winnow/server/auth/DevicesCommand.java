package dev.winnow.server.auth;

import dev.winnow.server.line.Json;
import dev.winnow.server.store.Database;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code winnow-server devices list|revoke USER}: issued MQTT credentials (never their secrets). */
@Command(name = "devices", mixinStandardHelpOptions = true, description = "List or revoke issued MQTT credentials.",
        subcommands = {DevicesCommand.ListCommand.class, DevicesCommand.RevokeCommand.class})
public final class DevicesCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every credential, active or revoked.")
    static final class ListCommand implements Callable<Integer> {
        @Mixin
        StoreOptions store;

        @Override
        public Integer call() {
            try (Database db = store.open()) {
                final List<Map<String, Object>> rows = new ArrayList<>();
                for (DeviceRegistry.Entry e : new DeviceRegistry(db).list()) {
                    final Map<String, Object> m = new LinkedHashMap<>();
                    m.put("username", e.principal().username());
                    m.put("role", e.principal().role().name().toLowerCase());
                    m.put("created", e.createdAt().toString());
                    m.put("revoked", e.revokedAt() == null ? null : e.revokedAt().toString());
                    rows.add(m);
                    System.out.printf("%-60s %-8s %s%s%n", e.principal().username(), m.get("role"), m.get("created"),
                            e.active() ? "" : "  REVOKED " + m.get("revoked"));
                }
                System.out.println(Json.write(Map.of("credentials", rows)));
            }
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke a user's credentials (takes effect within seconds on the embedded broker).")
    static final class RevokeCommand implements Callable<Integer> {
        @Parameters(paramLabel = "USER", description = "e.g. site.line.device")
        String username;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() {
            try (Database db = store.open()) {
                final boolean revoked = new DeviceRegistry(db).revoke(username);
                System.out.println(Json.write(Map.of("username", username, "revoked", revoked)));
                return revoked ? 0 : 1;
            }
        }
    }

    /** {@code winnow-server mosquitto-files --out DIR}: Mosquitto's password and ACL files from the registry. */
    @Command(name = "mosquitto-files", mixinStandardHelpOptions = true,
            description = "Write Mosquitto's password_file (passwd) and acl_file (acl) for the enrolled credentials.")
    public static final class MosquittoFilesCommand implements Callable<Integer> {
        @Option(names = "--out", paramLabel = "DIR", required = true, description = "folder for passwd and acl")
        Path out;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() throws Exception {
            try (Database db = store.open()) {
                final MosquittoFiles.Written w = MosquittoFiles.write(new DeviceRegistry(db), out);
                System.out.println("Wrote " + w.passwordFile() + " and " + w.aclFile() + " (" + w.users()
                        + " users). In mosquitto.conf: allow_anonymous false, password_file " + w.passwordFile()
                        + ", acl_file " + w.aclFile() + "; then reload Mosquitto (SIGHUP).");
                final Map<String, Object> m = new LinkedHashMap<>();
                m.put("password_file", w.passwordFile().toString());
                m.put("acl_file", w.aclFile().toString());
                m.put("users", w.users());
                System.out.println(Json.write(m));
            }
            return 0;
        }
    }
}
