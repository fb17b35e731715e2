package dev.folio.cli.bench;

import dev.folio.cli.local.LocalSystem;
import dev.folio.compute.storage.PageServiceClient;
import dev.folio.format.Lsn;
import dev.folio.testsupport.LocalPostgres;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code folio bench pgbench}: the real pgbench (scale 10, 8 clients, 2 threads), {@code -S} and the
 * built-in tpcb-like script, against Folio through its gateway ({@code folio local} in this JVM)
 * and against a private PostgreSQL 15 on the same machine, in one run (Folio once the materializer
 * has folded the load into layers); then the cold start: a connection to a branch whose compute is
 * suspended, to its first row.
 */
@Command(name = "pgbench", mixinStandardHelpOptions = true,
    description = {"The real pgbench (scale 10, 8 clients, 2 threads): -S and tpcb-like against Folio (through its",
        "gateway) and a private PostgreSQL 15, in one run; then the cold start of a suspended compute."})
final class PgbenchBench implements Callable<Integer> {
  private static final int SCALE = 10;
  private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");
  private static final Pattern LATENCY = Pattern.compile("latency average = ([0-9.]+) ms");
  private static final Pattern FAILED = Pattern.compile("number of failed transactions: ([0-9]+)");

  @Option(names = "--quick", description = "A short run: 10 s per measurement (the full run: 60 s).")
  boolean quick;

  private record Run(double tps, double latencyMillis, long failed) {}

  private record Target(String name, int port, String user, String database) {}

  @Override
  public Integer call() throws Exception {
    int seconds = quick ? 10 : 60;
    Path pgbench = LocalPostgres.bindir().resolve("pgbench");
    if (!Files.isExecutable(pgbench)) {
      throw new IllegalStateException("pgbench is not installed: " + pgbench);
    }
    System.err.println("folio bench pgbench: starting Folio (folio local in this JVM) and a private PostgreSQL...");
    try (ScratchFolder home = ScratchFolder.create("folio-bench-pgbench");
        LocalSystem folio = LocalSystem.start(home.path(), 0, new PrintStream(OutputStream.nullOutputStream()));
        LocalPostgres postgres = LocalPostgres.start()) {
      Target[] targets = {new Target("Folio", folio.postgresPort(), "folio", "main"),
          new Target("PostgreSQL", postgres.port(), "postgres", "postgres")};
      Run[][] runs = new Run[2][2];
      for (int t = 0; t < 2; t++) {
        Target target = targets[t];
        System.err.printf("  %s: pgbench -i -s %d...%n", target.name(), SCALE);
        pgbench(pgbench, target, "-i", "-q", "-s", String.valueOf(SCALE));
        if (t == 0) {
          awaitMaterialized(folio);
        }
        System.err.printf("  %s: warming up (-S, 5 s)...%n", target.name());
        pgbench(pgbench, target, "-S", "-c", "8", "-j", "2", "-T", "5");
        System.err.printf("  %s: -S, 8 clients, %d s...%n", target.name(), seconds);
        runs[t][0] = measure(pgbench(pgbench, target, "-S", "-c", "8", "-j", "2", "-T", String.valueOf(seconds)));
        System.err.printf("  %s: tpcb-like, 8 clients, %d s...%n", target.name(), seconds);
        runs[t][1] = measure(pgbench(pgbench, target, "-c", "8", "-j", "2", "-T", String.valueOf(seconds)));
      }
      System.err.println("  Folio: cold starts (suspend the compute, connect, first row), 5 times...");
      double coldStart = coldStart(folio, 5);
      double connect = connectAndQuery(targets[1], 5);

      BenchReport report = new BenchReport("pgbench",
          "pgbench 15, scale " + SCALE + ", 8 clients, 2 threads: Folio (through its gateway) beside PostgreSQL 15");
      String[] names = {"-S (select only)", "tpcb-like"};
      for (int i = 0; i < 2; i++) {
        report.row(names[i], String.format("%s / %s tps", BenchReport.format(runs[0][i].tps()),
            BenchReport.format(runs[1][i].tps())), String.format("latency %s / %s ms, ratio %s, failed %d / %d",
            BenchReport.format(runs[0][i].latencyMillis()), BenchReport.format(runs[1][i].latencyMillis()),
            BenchReport.format(runs[0][i].tps() / runs[1][i].tps()), runs[0][i].failed(), runs[1][i].failed()));
      }
      report.row("first row", String.format("%s ms cold / %s ms", BenchReport.format(coldStart),
          BenchReport.format(connect)), "Folio: a suspended compute woken; PostgreSQL: a new connection (median of 5)")
          .row("targets", "-S ratio >= 0.5, tpcb-like ratio >= 0.25, cold start < 1000 ms", "")
          .result("select_only_ratio", runs[0][0].tps() / runs[1][0].tps())
          .result("tpcb_ratio", runs[0][1].tps() / runs[1][1].tps())
          .result("cold_start_ms", coldStart)
          .result("select_only_tps", runs[0][0].tps())
          .result("tpcb_tps", runs[0][1].tps())
          .result("failed", runs[0][0].failed() + runs[0][1].failed())
          .print(System.out);
    }
    return 0;
  }

  /**
   * Waits (ten minutes at most) until the materializer has folded the load into layers: measuring
   * while it works would measure it too. A steady state is what the comparison is about.
   */
  private static void awaitMaterialized(LocalSystem folio) throws Exception {
    long begun = System.nanoTime();
    try (PageServiceClient pages = folio.pageService(folio.timeline())) {
      PageServiceClient.TimelineProgress p = pages.state();
      while (Long.compareUnsigned(p.materializedLsn(), p.lastFlushLsn()) < 0
          && System.nanoTime() - begun < TimeUnit.MINUTES.toNanos(10)) {
        System.err.printf("\r  Folio: the materializer folds the load: %s of %s...", Lsn.format(p.materializedLsn()),
            Lsn.format(p.lastFlushLsn()));
        TimeUnit.SECONDS.sleep(2);
        p = pages.state();
      }
    }
    System.err.printf("%n  Folio: the load is in layers (%.0f s after it)%n", (System.nanoTime() - begun) / 1e9);
  }

  /** Median milliseconds from connecting to a suspended compute of branch main to its first row. */
  private static double coldStart(LocalSystem folio, int times) throws Exception {
    Target main = new Target("Folio", folio.postgresPort(), "folio", "main");
    double[] ms = new double[times];
    for (int i = 0; i < times; i++) {
      folio.gateway().fleet().suspend(folio.computeId());
      ms[i] = connectAndQuery(main, 1);
    }
    return BenchReport.median(ms);
  }

  /** Median milliseconds of a new connection and one point query. */
  private static double connectAndQuery(Target target, int times) throws Exception {
    double[] ms = new double[times];
    for (int i = 0; i < times; i++) {
      long begun = System.nanoTime();
      try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + target.port() + "/"
          + target.database(), target.user(), ""); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT abalance FROM pgbench_accounts WHERE aid = 1")) {
        if (!rs.next()) {
          throw new IllegalStateException("pgbench_accounts has no row 1 on " + target.name());
        }
      }
      ms[i] = (System.nanoTime() - begun) / 1e6;
    }
    return BenchReport.median(ms);
  }


  private static String pgbench(Path pgbench, Target target, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(pgbench.toString(), "-h", "127.0.0.1", "-p",
        String.valueOf(target.port()), "-U", target.user()));
    command.addAll(List.of(args));
    command.add(target.database());
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException("pgbench " + String.join(" ", args) + " failed on " + target.name() + ":\n"
          + out);
    }
    return out;
  }

  private static Run measure(String out) {
    return new Run(number(TPS, out), number(LATENCY, out), (long) number(FAILED, out));
  }

  private static double number(Pattern pattern, String out) {
    Matcher m = pattern.matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("pgbench did not print " + pattern.pattern() + ":\n" + out);
    }
    return Double.parseDouble(m.group(1));
  }
}
