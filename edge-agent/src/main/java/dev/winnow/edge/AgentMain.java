package dev.winnow.edge;

import dev.winnow.edge.cli.CalibrateCommand;
import dev.winnow.edge.cli.EvalCommand;
import dev.winnow.edge.cli.ExportDatasetCommand;
import dev.winnow.edge.cli.BenchCommand;
import dev.winnow.edge.cli.RunCommand;
import dev.winnow.edge.cli.SimulateCommand;
import dev.winnow.edge.cli.TestFireCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code winnow-agent}: the edge agent's command line. */
@Command(name = "winnow-agent", mixinStandardHelpOptions = true, versionProvider = AgentMain.Version.class,
        description = "Winnow edge agent: cameras -> ONNX -> belt tracking -> valves, reporting over MQTT.",
        subcommands = {RunCommand.class, SimulateCommand.class, BenchCommand.class, TestFireCommand.class, ExportDatasetCommand.class, EvalCommand.class, CalibrateCommand.class, CommandLine.HelpCommand.class})
public final class AgentMain {

    /** The agent's version, from the jar manifest when packaged. */
    public static String version() {
        final String v = AgentMain.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"winnow-agent " + version()};
        }
    }

    public static void main(final String[] args) {
        final CommandLine cli = new CommandLine(new AgentMain());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("winnow-agent: " + e.getMessage());
            return 1;
        });
        System.exit(cli.execute(args));
    }
}
