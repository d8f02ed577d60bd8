package dev.winnow.server;

import dev.winnow.server.cli.ServeCommand;
import dev.winnow.server.demo.DemoCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code winnow-server}: the control server's command line. */
@Command(name = "winnow-server", mixinStandardHelpOptions = true, version = "winnow-server 0.1.0",
        description = "Winnow control server: MQTT broker, ingest, store and live line pages.",
        subcommands = {ServeCommand.class, dev.winnow.server.auth.EnrolCommand.class,
                dev.winnow.server.auth.DevicesCommand.class,
                dev.winnow.server.auth.DevicesCommand.MosquittoFilesCommand.class,
                dev.winnow.server.users.ResetPasswordCommand.class,
                dev.winnow.server.ingest.BenchIngestCommand.class, DemoCommand.class, dev.winnow.server.design.BenchDesignCommand.class,
                dev.winnow.server.report.BenchReportCommand.class, dev.winnow.server.desk.EvalDesk.class})
public final class ServerMain implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(final String[] args) {
        final int code = new CommandLine(new ServerMain()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }
}
