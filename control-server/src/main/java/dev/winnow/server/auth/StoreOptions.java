package dev.winnow.server.auth;

import dev.winnow.server.config.ConfigLoader;
import dev.winnow.server.config.ServerConfig;
import dev.winnow.server.store.Database;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the server's database is, for commands that work on it beside (or without) a running server. */
public final class StoreOptions {

    @Option(names = "--config", paramLabel = "FILE", description = "server.yaml (its data and db keys are used)")
    Path configFile;

    @Option(names = "--data", paramLabel = "DIR", description = "data folder of the embedded database (default ./winnow-data)")
    Path data;

    @Option(names = "--db-url", paramLabel = "JDBC", description = "database, e.g. jdbc:postgresql://host/winnow")
    String dbUrl;

    @Option(names = "--db-user", paramLabel = "USER")
    String dbUser;

    @Option(names = "--db-password", paramLabel = "PASSWORD")
    String dbPassword;

    public ServerConfig config() {
        ServerConfig c = ServerConfig.defaults();
        if (configFile != null) {
            c = ConfigLoader.load(configFile, c);
        }
        if (data != null) {
            c = c.withDataDir(data);
        }
        if (dbUrl != null || dbUser != null || dbPassword != null) {
            c = c.withDb(dbUrl != null ? dbUrl : c.dbUrl(), dbUser != null ? dbUser : c.dbUser(),
                    dbPassword != null ? dbPassword : c.dbPassword());
        }
        return c;
    }

    /** Opens (and migrates) the database; the embedded one may be in use by a running server (AUTO_SERVER). */
    public Database open() {
        final ServerConfig c = config();
        try {
            java.nio.file.Files.createDirectories(c.dataDir());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create " + c.dataDir() + ": " + e.getMessage(), e);
        }
        return Database.open(c.dbUrl() != null ? c.dbUrl() : Database.embeddedUrl(c.dataDir()), c.dbUser(),
                c.dbPassword());
    }
}
