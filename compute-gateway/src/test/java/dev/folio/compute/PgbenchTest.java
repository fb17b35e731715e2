package dev.folio.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.folio.testsupport.KafkaEndpoint;
import dev.folio.testsupport.LocalPostgres;
import dev.folio.testsupport.RealInfra;
import dev.folio.testsupport.S3Endpoint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The real pgbench, unmodified: {@code pgbench -i} (DDL, COPY, VACUUM, ALTER TABLE … ADD PRIMARY
 * KEY), then the built-in tpcb-like script under {@code -M simple}, {@code extended} and
 * {@code prepared}, and {@code -S} and {@code -N}; every run completes every transaction with none
 * failed, and afterwards the balances agree as TPC-B says they must.
 */
@RealInfra
class PgbenchTest {
  @Test
  void pgbenchRunsUnmodified(KafkaEndpoint kafka, S3Endpoint s3) throws Exception {
    assumeTrue(LocalPostgres.available(), "PostgreSQL's binaries are not installed");
    Path pgbench = LocalPostgres.bindir().resolve("pgbench");
    assumeTrue(Files.isExecutable(pgbench), "pgbench is not installed");
    try (Fixture f = Fixture.start(kafka, s3);
        ComputeNode compute = f.compute(4096 * 8192L)) {
      String init = pgbench(pgbench, compute, "-i", "-s", "1");
      assertThat(init).contains("done in");
      int transactions = 0;
      for (List<String> run : List.of(List.of("-M", "simple"), List.of("-M", "extended"), List.of("-M", "prepared"),
          List.of("-M", "prepared", "-S"), List.of("-M", "extended", "-N"))) {
        List<String> args = new ArrayList<>(run);
        // -n: no VACUUM and no TRUNCATE of the history before each run, so that it keeps every run's.
        args.addAll(List.of("-n", "-c", "2", "-j", "2", "-t", "15"));
        String out = pgbench(pgbench, compute, args.toArray(new String[0]));
        assertThat(out).as(String.join(" ", run)).contains("number of transactions actually processed: 30/30",
            "number of failed transactions: 0 (0.000%)");
        if (!run.contains("-S")) {
          transactions += 30;
        }
      }
      try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + compute.port() + "/main?user=app");
          Statement s = c.createStatement()) {
        long history = value(s, "SELECT coalesce(sum(delta), 0) FROM pgbench_history");
        assertThat(value(s, "SELECT count(*) FROM pgbench_history")).isEqualTo(transactions);
        assertThat(value(s, "SELECT sum(abalance) FROM pgbench_accounts")).isEqualTo(history);
        assertThat(value(s, "SELECT count(*) FROM pgbench_accounts")).isEqualTo(100_000);
        // -N leaves tellers and branches alone: they hold the deltas of the tpcb-like runs only.
        assertThat(value(s, "SELECT sum(bbalance) FROM pgbench_branches"))
            .isEqualTo(value(s, "SELECT sum(tbalance) FROM pgbench_tellers"));
      }
    }
  }

  private static String pgbench(Path pgbench, ComputeNode compute, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(pgbench.toString(), "-h", "127.0.0.1", "-p",
        String.valueOf(compute.port()), "-U", "folio"));
    command.addAll(List.of(args));
    command.add("main");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  private static long value(Statement s, String sql) throws Exception {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
