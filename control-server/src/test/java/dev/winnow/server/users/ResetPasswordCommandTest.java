package dev.winnow.server.users;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.server.store.Database;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The recovery command on a real embedded database, as an administrator runs it on the server machine. */
class ResetPasswordCommandTest {

    @TempDir
    Path data;

    private record Run(int code, String out) {
    }

    private Run run(final String... args) {
        final PrintStream was = System.out;
        final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            final int code = new CommandLine(new ResetPasswordCommand()).execute(args);
            return new Run(code, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(was);
        }
    }

    private Database db() {
        return Database.open(Database.embeddedUrl(data), null, null);
    }

    @Test
    void aForgottenAdminPasswordIsReplacedTheAccountReEnabledAndItsSessionsClosed() throws Exception {
        final String sessionId;
        try (Database db = db()) {
            final UserStore users = new UserStore(db, Clock.systemUTC());
            final UserStore.User admin = users.create("admin", "Admin", Set.of(Role.ADMIN), "forgotten-one");
            sessionId = users.openSession(admin, Duration.ofHours(1)).id();
            users.setDisabled("admin", true);
        }
        final Run r = run("admin", "--data", data.toString());
        assertThat(r.code()).isZero();
        final String[] lines = r.out().strip().split("\n");
        final String fresh = new ObjectMapper().readTree(lines[lines.length - 1]).get("password").asText();
        assertThat(fresh).hasSizeGreaterThanOrEqualTo(UserStore.MIN_PASSWORD);
        try (Database db = db()) {
            final UserStore users = new UserStore(db, Clock.systemUTC());
            assertThat(users.check("admin", fresh)).isPresent();
            assertThat(users.check("admin", "forgotten-one")).isEmpty();
            assertThat(users.session(sessionId, Duration.ofHours(1))).isEmpty();
            assertThat(users.auditLog(10, "user.reset-password")).extracting(UserStore.AuditEntry::target)
                    .containsExactly("admin");
        }
    }

    @Test
    void anUnknownUserOrATooShortPasswordIsRefusedAndChangesNothing() {
        try (Database db = db()) {
            new UserStore(db, Clock.systemUTC()).create("ops", "Ops", Set.of(Role.OPERATOR), "the-old-password");
        }
        final Run unknown = run("nobody", "--data", data.toString());
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.out()).contains("no user 'nobody'").contains("ops");
        final Run shortOne = run("ops", "--password", "short", "--data", data.toString());
        assertThat(shortOne.code()).isEqualTo(2);
        assertThat(shortOne.out()).contains("at least 10 characters");
        try (Database db = db()) {
            assertThat(new UserStore(db, Clock.systemUTC()).check("ops", "the-old-password")).isPresent();
        }
    }
}
