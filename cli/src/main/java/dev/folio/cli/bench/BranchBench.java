package dev.folio.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.folio.cli.local.LocalSystem;
import dev.folio.testsupport.LocalPostgres;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.postgresql.PGConnection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code folio bench branch}: how long a branch takes to make, and its first query (a compute
 * started for it), at two database sizes ten times apart, beside PostgreSQL 15 making the same
 * copy ({@code CREATE DATABASE … TEMPLATE}) on the same machine, in one run. A branch copies
 * nothing, so its time should not grow with the data; a copy's does.
 */
@Command(name = "branch", mixinStandardHelpOptions = true,
    description = {"Branch creation and first-query time at two database sizes ten times apart, beside",
        "PostgreSQL 15's CREATE DATABASE ... TEMPLATE (a copy) of the same data."})
final class BranchBench implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int TIMES = 5;

  @Option(names = "--quick", description = "A short run: 20,000 and 200,000 rows (the full run: 100,000 and 1,000,000).")
  boolean quick;

  private record Measured(double createMs, double firstQueryMs) {}

  @Override
  public Integer call() throws Exception {
    int small = quick ? 20_000 : 100_000;
    int[] sizes = {small, small * 10};
    System.err.println("folio bench branch: starting Folio (folio local in this JVM) and a private PostgreSQL...");
    HttpClient http = HttpClient.newHttpClient();
    try (ScratchFolder home = ScratchFolder.create("folio-bench-branch");
        LocalSystem folio = LocalSystem.start(home.path(), 0, new PrintStream(OutputStream.nullOutputStream()));
        LocalPostgres postgres = LocalPostgres.start()) {
      Measured[] folioRuns = new Measured[2];
      Measured[] postgresRuns = new Measured[2];
      for (int s = 0; s < 2; s++) {
        String name = "size" + s;
        System.err.printf("  Folio: branch %s with %,d rows...%n", name, sizes[s]);
        post(http, folio, "/v1/branches", "{\"name\": \"" + name + "\"}");
        load("jdbc:postgresql://127.0.0.1:" + folio.postgresPort() + "/" + name + "?user=folio", sizes[s]);
        System.err.printf("  PostgreSQL: database %s with %,d rows...%n", name, sizes[s]);
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl()); Statement st = c.createStatement()) {
          st.execute("CREATE DATABASE " + name);
        }
        load("jdbc:postgresql://127.0.0.1:" + postgres.port() + "/" + name + "?user=postgres", sizes[s]);
        double[] create = new double[TIMES];
        double[] first = new double[TIMES];
        double[] pgCreate = new double[TIMES];
        double[] pgFirst = new double[TIMES];
        for (int i = 0; i < TIMES; i++) {
          String child = name + "-branch-" + i;
          long begun = System.nanoTime();
          post(http, folio, "/v1/branches", "{\"name\": \"" + child + "\", \"parent\": \"" + name + "\"}");
          create[i] = (System.nanoTime() - begun) / 1e6;
          first[i] = firstQuery("jdbc:postgresql://127.0.0.1:" + folio.postgresPort() + "/" + child + "?user=folio");
          String copy = name + "_copy_" + i;
          begun = System.nanoTime();
          try (Connection c = DriverManager.getConnection(postgres.jdbcUrl()); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + copy + " TEMPLATE " + name);
          }
          pgCreate[i] = (System.nanoTime() - begun) / 1e6;
          pgFirst[i] = firstQuery("jdbc:postgresql://127.0.0.1:" + postgres.port() + "/" + copy + "?user=postgres");
          // The branch's compute is not needed any more: its memory goes back.
          post(http, folio, "/v1/branches/" + child + "/delete", "{}");
        }
        folioRuns[s] = new Measured(BenchReport.median(create), BenchReport.median(first));
        postgresRuns[s] = new Measured(BenchReport.median(pgCreate), BenchReport.median(pgFirst));
        System.err.printf("  %,d rows: branch %.1f ms, first query %.1f ms; PostgreSQL copy %.1f ms%n", sizes[s],
            folioRuns[s].createMs(), folioRuns[s].firstQueryMs(), postgresRuns[s].createMs());
      }
      BenchReport report = new BenchReport("branch", "Branch creation and first query (median of " + TIMES
          + "): Folio beside PostgreSQL 15's CREATE DATABASE ... TEMPLATE");
      for (int s = 0; s < 2; s++) {
        report.row(String.format("%,d rows: create", sizes[s]), String.format("%s / %s ms",
            BenchReport.format(folioRuns[s].createMs()), BenchReport.format(postgresRuns[s].createMs())),
            "Folio branch / PostgreSQL copy");
        report.row(String.format("%,d rows: first query", sizes[s]), String.format("%s / %s ms",
            BenchReport.format(folioRuns[s].firstQueryMs()), BenchReport.format(postgresRuns[s].firstQueryMs())),
            "Folio: a compute started for the branch; PostgreSQL: a new connection");
      }
      report.row("target", "create_time_ratio near 1 (the data grows ten times)", "")
          .result("create_ms_small", folioRuns[0].createMs())
          .result("create_ms_large", folioRuns[1].createMs())
          .result("create_time_ratio", folioRuns[1].createMs() / folioRuns[0].createMs())
          .result("first_query_ms_small", folioRuns[0].firstQueryMs())
          .result("first_query_ms_large", folioRuns[1].firstQueryMs())
          .result("postgres_copy_ratio", postgresRuns[1].createMs() / postgresRuns[0].createMs())
          .print(System.out);
    }
    return 0;
  }

  /** A table of {@code rows} rows of about 100 bytes, by COPY. */
  private static void load(String url, int rows) throws Exception {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE items (id int PRIMARY KEY, name text, qty int)");
      StringBuilder data = new StringBuilder();
      for (int i = 1; i <= rows; i++) {
        data.append(i).append('\t').append("item number ").append(i).append(" of the benchmark's table, padded to be "
            + "about a hundred bytes").append('\t').append(i % 97).append('\n');
      }
      c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY items FROM STDIN", new StringReader(data.toString()));
    }
  }

  /** Milliseconds from connecting to the first row of a point query. */
  private static double firstQuery(String url) throws Exception {
    long begun = System.nanoTime();
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT name FROM items WHERE id = 1")) {
      if (!rs.next()) {
        throw new IllegalStateException("the new branch has no row 1: " + url);
      }
    }
    return (System.nanoTime() - begun) / 1e6;
  }

  private static void post(HttpClient http, LocalSystem folio, String path, String body) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(folio.api() + path))
        .header("Authorization", "Bearer " + folio.adminToken()).POST(HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("POST " + path + ": " + JSON.readTree(r.body()).path("message").asText());
    }
  }

}
