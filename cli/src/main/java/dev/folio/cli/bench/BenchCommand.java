package dev.folio.cli.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code folio bench NAME [--quick]}: each benchmark measures Folio beside its reference. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {"Runs a benchmark: Folio and its reference side by side, a table, then a RESULT line.",
        "Add --quick for a run of about a minute."},
    subcommands = {RedoBench.class, LayersBench.class, WalBench.class, MaterializerBench.class, ReplayBench.class,
        GetPageBench.class, SqlBench.class, PgbenchBench.class, BranchBench.class})
public final class BenchCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
