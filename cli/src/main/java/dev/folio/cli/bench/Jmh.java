package dev.folio.cli.bench;

import java.io.PrintStream;
import java.util.Collection;
import java.util.Map;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/** Runs JMH benchmark methods in forked JVMs, with progress on stderr, and reports their scores. */
final class Jmh {
  /** A throughput score and its 99.9% confidence half-width. */
  record Score(double value, double error, String unit) {}

  /** One benchmark method of a comparison: how to label it in the table and the RESULT line. */
  record Side(String method, String label, String unit, String resultKey) {}

  private Jmh() {}

  /**
   * Measures Folio's method and the reference method of one benchmark class with the same
   * parameters, then prints both, their ratio (Folio / reference) and the RESULT line.
   */
  static void compare(String name, String title, Class<?> benchmark, Map<String, String> params, boolean quick,
      Side folio, Side reference, String ratioKey) {
    System.err.println("folio bench " + name + ": 2 measurements");
    Score a = run(benchmark, folio.method(), params, quick, System.err);
    Score b = run(benchmark, reference.method(), params, quick, System.err);
    double ratio = a.value() / b.value();
    new BenchReport(name, title)
        .row(folio.label(), BenchReport.format(a.value()) + " " + folio.unit(), "± " + BenchReport.format(a.error()))
        .row(reference.label(), BenchReport.format(b.value()) + " " + reference.unit(),
            "± " + BenchReport.format(b.error()) + "  (reference)")
        .row(ratioKey, BenchReport.format(ratio), "")
        .result(folio.resultKey(), a.value())
        .result(reference.resultKey(), b.value())
        .result(ratioKey, ratio)
        .print(System.out);
  }

  static Score run(Class<?> benchmark, String method, Map<String, String> params, boolean quick, PrintStream progress) {
    progress.printf("  measuring %s.%s %s(%s)...%n", benchmark.getSimpleName(), method,
        params.isEmpty() ? "" : params + " ", quick ? "quick: 2 s warm-up, 3 s measured" : "5 s warm-up, 10 s measured");
    ChainedOptionsBuilder options = new OptionsBuilder()
        .include(benchmark.getName() + "\\." + method + "$")
        .forks(1)
        .jvmArgs("-Xmx2g", "-XX:+UseParallelGC")
        .warmupIterations(quick ? 2 : 5)
        .warmupTime(TimeValue.seconds(1))
        .measurementIterations(quick ? 3 : 5)
        .measurementTime(TimeValue.seconds(quick ? 1 : 2))
        .shouldFailOnError(true)
        .verbosity(VerboseMode.SILENT);
    params.forEach(options::param);
    try {
      Collection<RunResult> results = new Runner(options.build()).run();
      if (results.isEmpty()) {
        throw new IllegalStateException("JMH ran nothing for " + benchmark.getSimpleName() + "." + method);
      }
      Result<?> primary = results.iterator().next().getPrimaryResult();
      double error = Double.isNaN(primary.getScoreError()) ? 0 : primary.getScoreError();
      return new Score(primary.getScore(), error, primary.getScoreUnit());
    } catch (RunnerException e) {
      throw new IllegalStateException("the benchmark " + benchmark.getSimpleName() + "." + method + " failed: "
          + e.getMessage(), e);
    }
  }
}
