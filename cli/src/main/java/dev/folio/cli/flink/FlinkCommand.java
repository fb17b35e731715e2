package dev.folio.cli.flink;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code folio flink}: Folio's jobs on a Flink cluster. */
@Command(name = "flink", mixinStandardHelpOptions = true, description = "Folio's jobs on a Flink cluster.",
    subcommands = SubmitCommand.class)
public final class FlinkCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
