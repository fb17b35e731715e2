package dev.folio.cli.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What every benchmark prints: a table of what was measured, Folio beside its reference, then one
 * line {@code RESULT <name> key=value ...} for scripts and for BENCHMARKS.md.
 */
public final class BenchReport {
  private final String name;
  private final String title;
  private final List<String[]> rows = new ArrayList<>();
  private final Map<String, String> result = new LinkedHashMap<>();

  public BenchReport(String name, String title) {
    this.name = name;
    this.title = title;
  }

  /** A row of the table: what, how much, and a note (e.g. the error or the reference). */
  public BenchReport row(String what, String value, String note) {
    rows.add(new String[] {what, value, note});
    return this;
  }

  public BenchReport result(String key, double value) {
    result.put(key, format(value));
    return this;
  }

  /** Numbers as people read them: integers above 100, three significant digits below. */
  /** The middle value (the upper one of an even count). */
  public static double median(double[] values) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  public static String format(double value) {
    if (Math.abs(value) >= 100) {
      return String.format(Locale.ROOT, "%.0f", value);
    }
    return String.format(Locale.ROOT, "%.3g", value);
  }

  public void print(PrintStream out) {
    int w0 = "measured".length();
    int w1 = "value".length();
    for (String[] r : rows) {
      w0 = Math.max(w0, r[0].length());
      w1 = Math.max(w1, r[1].length());
    }
    out.println();
    out.println(title);
    String line = "%-" + w0 + "s  %" + w1 + "s  %s%n";
    out.printf(line, "measured", "value", "");
    out.println("-".repeat(w0 + w1 + 4 + rows.stream().mapToInt(r -> r[2].length()).max().orElse(0)));
    for (String[] r : rows) {
      out.printf(line, r[0], r[1], r[2]);
    }
    out.println();
    StringBuilder sb = new StringBuilder("RESULT ").append(name);
    result.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
    out.println(sb);
  }
}
