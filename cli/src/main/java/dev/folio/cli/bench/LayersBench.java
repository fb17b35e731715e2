package dev.folio.cli.bench;

import dev.folio.format.bench.LayersBenchmark;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code folio bench layers}: page reconstruction from layer files, beside redo alone. */
@Command(name = "layers", mixinStandardHelpOptions = true,
    description = "Reconstructs/s of random pages at random LSNs from delta and image layers on local disk"
        + " (newest image + up to 16 deltas), beside folding the same records from memory.")
final class LayersBench implements Callable<Integer> {
  @Option(names = "--quick", description = "A short run (about 20 s) over 2,000 pages instead of 10,000.")
  boolean quick;

  @Override
  public Integer call() {
    String pages = quick ? "2000" : "10000";
    Jmh.compare("layers", "Reconstruction of random pages at random LSNs, " + pages
            + " heap pages with 3 rounds of 16 inserts, one thread",
        LayersBenchmark.class, Map.of("pages", pages, "rounds", "3"), quick,
        new Jmh.Side("reconstructFromLayers", "from layer files (read, CRC, decode, redo)", "pages/s",
            "reconstructs_per_s"),
        new Jmh.Side("foldInMemory", "fold of the same records in memory (redo alone)", "pages/s", "fold_per_s"),
        "layers_vs_fold");
    return 0;
  }
}
