package dev.winnow.server.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes Mosquitto's password file ({@code user:$7$...}, the hashes as stored) and ACL file from the
 * registry's active credentials. Mosquitto reads them at start and on SIGHUP. Files are replaced
 * atomically and made readable by the owner only.
 */
public final class MosquittoFiles {

    private MosquittoFiles() {
    }

    public record Written(Path passwordFile, Path aclFile, int users) {
    }

    public static Written write(final DeviceRegistry registry, final Path dir) throws IOException {
        return write(registry.list(), dir);
    }

    public static Written write(final List<DeviceRegistry.Entry> entries, final Path dir) throws IOException {
        Files.createDirectories(dir);
        final List<String> passwd = new ArrayList<>();
        final List<String> acl = new ArrayList<>();
        acl.add("# Written by winnow-server mosquitto-files; do not edit: regenerate after enrolling.");
        int users = 0;
        for (DeviceRegistry.Entry e : entries) {
            if (!e.active()) {
                continue;
            }
            users++;
            passwd.add(e.principal().username() + ":" + e.secretHash());
            acl.add("");
            acl.add("user " + e.principal().username());
            acl.addAll(TopicAcl.mosquittoLines(e.principal()));
        }
        final Path pw = dir.resolve("passwd");
        final Path ac = dir.resolve("acl");
        replace(pw, String.join("\n", passwd) + "\n");
        replace(ac, String.join("\n", acl) + "\n");
        return new Written(pw, ac, users);
    }

    private static void replace(final Path target, final String text) throws IOException {
        final Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
