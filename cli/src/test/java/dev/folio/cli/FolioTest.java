package dev.folio.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.cli.bench.BenchReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FolioTest {
  @Test
  void helpListsTheCommandsAndBadUsageExitsTwo() {
    assertThat(Folio.run("--help")).isZero();
    assertThat(Folio.run("bench", "--help")).isZero();
    assertThat(Folio.run("bench", "no-such-benchmark")).isEqualTo(2);
    assertThat(Folio.run("--no-such-option")).isEqualTo(2);
  }

  @Test
  void aReportEndsWithOneResultLine() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new BenchReport("redo", "title")
        .row("redo", "1000 records/s", "")
        .result("records_per_s", 1234.4)
        .result("copy_ratio", 0.81234)
        .print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String[] lines = bytes.toString(StandardCharsets.UTF_8).strip().split("\n");
    assertThat(lines[lines.length - 1]).isEqualTo("RESULT redo records_per_s=1234 copy_ratio=0.812");
    assertThat(lines).anyMatch(l -> l.startsWith("redo") && l.contains("1000 records/s"));
  }
}
