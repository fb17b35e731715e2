package dev.folio.cli;

import dev.folio.cli.bench.BenchCommand;
import dev.folio.cli.branch.BranchCommand;
import dev.folio.cli.branch.LsnAtCommand;
import dev.folio.cli.branch.ReplayCommand;
import dev.folio.cli.compute.ComputeCommand;
import dev.folio.cli.compute.UsageCommand;
import dev.folio.cli.flink.FlinkCommand;
import dev.folio.cli.local.LocalCommand;
import dev.folio.cli.pageservice.PageServiceCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code folio} command. */
@Command(
    name = "folio",
    mixinStandardHelpOptions = true,
    versionProvider = Folio.Version.class,
    description = "Folio: disaggregated database storage. The log is the database.",
    subcommands = {LocalCommand.class, ComputeCommand.class, UsageCommand.class, BranchCommand.class,
        LsnAtCommand.class, ReplayCommand.class, BenchCommand.class, FlinkCommand.class, PageServiceCommand.class, CommandLine.HelpCommand.class})
public final class Folio implements Runnable {
  @Spec
  CommandSpec spec;

  public static void main(String[] args) {
    // Our logging settings, not the tests' ones that test-support's jar carries.
    if (System.getProperty("log4j2.configurationFile") == null) {
      System.setProperty("log4j2.configurationFile", "log4j2-folio.xml");
    }
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code: 0 done, 1 failed, 2 bad usage. */
  public static int run(String... args) {
    return run(null, args);
  }

  /** As {@link #run(String...)}, printing to {@code out} (null: standard output). */
  public static int run(java.io.PrintWriter out, String... args) {
    CommandLine cli = new CommandLine(new Folio());
    if (out != null) {
      cli.setOut(out);
    }
    cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
      commandLine.getErr().println("folio: " + e.getMessage());
      return 1;
    });
    return cli.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The version of the build. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Folio.class.getPackage().getImplementationVersion();
      return new String[] {"folio " + (version == null ? "(development build)" : version)};
    }
  }
}
