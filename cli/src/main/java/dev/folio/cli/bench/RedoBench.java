package dev.folio.cli.bench;

import dev.folio.format.bench.RedoBenchmark;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code folio bench redo}: heap-insert redo against a bare copy of the same bytes, its limit. */
@Command(name = "redo", mixinStandardHelpOptions = true,
    description = "Redo of heap inserts (records/s) beside a bare copy of the same bytes, its limit.")
final class RedoBench implements Callable<Integer> {
  @Option(names = "--quick", description = "A short run (about 15 s).")
  boolean quick;

  @Override
  public Integer call() {
    Jmh.compare("redo", "Redo of a 100-byte heap insert onto a half-full 8 KiB page, one thread",
        RedoBenchmark.class, Map.of("tupleBytes", "100"), quick,
        new Jmh.Side("redoHeapInsert", "redo (copy, insert, CRC32C)", "records/s", "records_per_s"),
        new Jmh.Side("bareCopy", "bare copy of page and tuple", "copies/s", "copy_per_s"),
        "copy_ratio");
    return 0;
  }
}
