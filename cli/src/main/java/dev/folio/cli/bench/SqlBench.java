package dev.folio.cli.bench;

import dev.folio.cli.local.LocalSystem;
import dev.folio.testsupport.LocalPostgres;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code folio bench sql}: point SELECTs by primary key and small read-write transactions through
 * pgjdbc, with 1 and 8 clients, against Folio ({@code folio local} in this JVM) and a private
 * PostgreSQL 15 on the same machine, in one run.
 */
@Command(name = "sql", mixinStandardHelpOptions = true,
    description = {"Point SELECTs by primary key and small read-write transactions through pgjdbc, 1 and 8 clients,",
        "against Folio (all of it in this JVM) and a private PostgreSQL 15 on the same machine."})
final class SqlBench implements Callable<Integer> {
  @Option(names = "--quick", description = "A short run (about a minute): 1,000 rows, 5 s per measurement.")
  boolean quick;

  private record Measured(double tps, double p99Millis) {}

  @Override
  public Integer call() throws Exception {
    int rows = quick ? 1_000 : 10_000;
    int seconds = quick ? 5 : 20;
    System.err.println("folio bench sql: starting Folio (folio local in this JVM) and a private PostgreSQL...");
    try (ScratchFolder home = ScratchFolder.create("folio-bench-sql");
        LocalSystem folio = LocalSystem.start(home.path(), 0, new PrintStream(OutputStream.nullOutputStream()));
        LocalPostgres postgres = LocalPostgres.start()) {
      String folioUrl = "jdbc:postgresql://127.0.0.1:" + folio.postgresPort() + "/main?user=folio";
      Measured[][] results = new Measured[2][4];
      String[] urls = {folioUrl, postgres.jdbcUrl()};
      for (int s = 0; s < 2; s++) {
        System.err.printf("  %s: loading %,d rows...%n", s == 0 ? "Folio" : "PostgreSQL", rows);
        load(urls[s], rows);
        int c = 0;
        for (boolean write : new boolean[] {false, true}) {
          for (int clients : new int[] {1, 8}) {
            System.err.printf("  %s: %s, %d client(s), %d s...%n", s == 0 ? "Folio" : "PostgreSQL",
                write ? "read-write transactions" : "point SELECTs", clients, seconds);
            results[s][c++] = run(urls[s], rows, clients, seconds, write);
          }
        }
      }
      String[] names = {"point SELECT, 1 client", "point SELECT, 8 clients", "read-write tx, 1 client",
          "read-write tx, 8 clients"};
      BenchReport report = new BenchReport("sql", "SQL through pgjdbc: Folio beside PostgreSQL 15, " + rows + " rows");
      for (int i = 0; i < 4; i++) {
        report.row(names[i], String.format("%s / %s tps", BenchReport.format(results[0][i].tps()),
            BenchReport.format(results[1][i].tps())), String.format("p99 %s / %s ms, ratio %s",
            BenchReport.format(results[0][i].p99Millis()), BenchReport.format(results[1][i].p99Millis()),
            BenchReport.format(results[0][i].tps() / results[1][i].tps())));
      }
      report.row("target", "point SELECT ratio >= 0.3", "")
          .result("point_select_ratio", results[0][1].tps() / results[1][1].tps())
          .result("point_select_ratio_1", results[0][0].tps() / results[1][0].tps())
          .result("rw_ratio", results[0][3].tps() / results[1][3].tps())
          .result("point_select_tps", results[0][1].tps())
          .result("point_select_p99_ms", results[0][0].p99Millis())
          .result("postgres_point_select_tps", results[1][1].tps())
          .print(System.out);
    }
    return 0;
  }

  private static void load(String url, int rows) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE bench_accounts (id int PRIMARY KEY, balance bigint NOT NULL, filler text)");
      StringBuilder insert = new StringBuilder();
      for (int i = 1; i <= rows; i++) {
        insert.append(insert.length() == 0 ? "INSERT INTO bench_accounts VALUES " : ", ")
            .append('(').append(i).append(", 0, '").append("x".repeat(80)).append("')");
        if (i % 250 == 0 || i == rows) {
          s.execute(insert.toString());
          insert.setLength(0);
        }
      }
    }
  }

  private static Measured run(String url, int rows, int clients, int seconds, boolean write) throws Exception {
    Recorder latencies = new Recorder(3);
    AtomicLong done = new AtomicLong();
    // Each client prepares its statements and warms up (a session compiles a plan once), then all
    // start the measured interval together.
    java.util.concurrent.CyclicBarrier ready = new java.util.concurrent.CyclicBarrier(clients + 1);
    long[] window = new long[1];
    List<Thread> threads = new ArrayList<>();
    List<Exception> failures = new ArrayList<>();
    for (int t = 0; t < clients; t++) {
      Thread thread = new Thread(() -> {
        try (Connection c = DriverManager.getConnection(url);
            PreparedStatement select = c.prepareStatement("SELECT balance FROM bench_accounts WHERE id = ?");
            PreparedStatement update = c.prepareStatement(
                "UPDATE bench_accounts SET balance = balance + 1 WHERE id = ?")) {
          c.setAutoCommit(!write);
          for (int i = 0; i < 10; i++) {
            once(c, select, update, rows, write);
          }
          ready.await();
          ready.await();
          while (System.nanoTime() < window[0]) {
            long start = System.nanoTime();
            once(c, select, update, rows, write);
            latencies.recordValue((System.nanoTime() - start) / 1000);
            done.incrementAndGet();
          }
        } catch (Exception e) {
          synchronized (failures) {
            failures.add(e);
          }
          ready.reset();
        }
      });
      threads.add(thread);
    }
    threads.forEach(Thread::start);
    ready.await();
    long start = System.nanoTime();
    window[0] = start + seconds * 1_000_000_000L;
    ready.await();
    for (Thread t : threads) {
      t.join();
    }
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
    Histogram h = latencies.getIntervalHistogram();
    return new Measured(done.get() / ((System.nanoTime() - start) / 1e9), h.getValueAtPercentile(99) / 1000.0);
  }

  /** One point SELECT, or one transaction: UPDATE, SELECT, COMMIT. */
  private static void once(Connection c, PreparedStatement select, PreparedStatement update, int rows, boolean write)
      throws SQLException {
    int id = 1 + ThreadLocalRandom.current().nextInt(rows);
    if (write) {
      update.setInt(1, id);
      update.executeUpdate();
    }
    select.setInt(1, id);
    try (ResultSet rs = select.executeQuery()) {
      rs.next();
    }
    if (write) {
      c.commit();
    }
  }
}
