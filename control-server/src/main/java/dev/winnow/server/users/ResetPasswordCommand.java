package dev.winnow.server.users;

import dev.winnow.server.auth.StoreOptions;
import dev.winnow.server.line.Json;
import dev.winnow.server.store.Database;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Recovery for a forgotten password, the admin's included: run on the server machine (access to the database
 * is the proof of authority). Sets a new password, re-enables the account, ends its sessions and audits it.
 */
@Command(name = "reset-password", mixinStandardHelpOptions = true,
        description = "Set a new password for a web user (prints a generated one unless --password is given), "
                + "re-enable the account and sign it out everywhere. Works while the server runs.")
public final class ResetPasswordCommand implements Callable<Integer> {

    @Parameters(paramLabel = "USER", description = "user name, e.g. admin")
    String username;

    @Option(names = "--password", paramLabel = "PASSWORD",
            description = "the new password (at least " + UserStore.MIN_PASSWORD + " characters); default: generated")
    String password;

    @Mixin
    StoreOptions store;

    @Override
    public Integer call() {
        final String fresh = password != null ? password : Passwords.newReadablePassword();
        try (Database db = store.open()) {
            final UserStore users = new UserStore(db, Clock.systemUTC());
            if (users.find(username).isEmpty()) {
                return refuse("no user '" + username + "'; users: " + String.join(", ",
                        users.list().stream().map(UserStore.User::username).toList()));
            }
            try {
                users.setPassword(username, fresh);
            } catch (IllegalArgumentException e) {
                return refuse(e.getMessage());
            }
            users.setDisabled(username, false);
            users.audit("local", "user.reset-password", username, "from the server's command line");
        }
        System.out.println("New password for " + username + (password == null ? ": " + fresh : " set")
                + ". Their sessions are closed; they sign in with it now.");
        final Map<String, Object> out = new LinkedHashMap<>();
        out.put("user", username);
        out.put("reset", true);
        if (password == null) {
            out.put("password", fresh);
        }
        System.out.println(Json.write(out));
        return 0;
    }

    private static int refuse(final String why) {
        System.err.println("winnow-server: " + why);
        System.out.println(Json.write(Map.of("error", why)));
        return 2;
    }
}
