package dev.folio.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.folio.testsupport.KafkaEndpoint;
import dev.folio.testsupport.LocalPostgres;
import dev.folio.testsupport.RealInfra;
import dev.folio.testsupport.S3Endpoint;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The same random workload against Folio and a private PostgreSQL 15: inserts (duplicate keys
 * included), updates, deletes, transactions that commit or roll back, and queries with joins,
 * aggregates, ORDER BY and LIMIT over three tables with primary keys and secondary indexes, and
 * lookups and ranges those indexes serve. Every statement must give the same rows, the same row
 * count, or the same SQLSTATE.
 */
@RealInfra
class DifferentialTest {
  @Test
  void folioAnswersAsPostgresDoes(KafkaEndpoint kafka, S3Endpoint s3) throws Exception {
    assumeTrue(LocalPostgres.available(), "PostgreSQL's server binaries are not installed");
    try (LocalPostgres postgres = LocalPostgres.start();
        Fixture f = Fixture.start(kafka, s3);
        ComputeNode compute = f.compute(32 * 8192L);
        Connection folio = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + compute.port() + "/main",
            "app", "");
        Connection reference = DriverManager.getConnection(postgres.jdbcUrl())) {
      List<String> setup = List.of(
          "CREATE TABLE branches (id int PRIMARY KEY, name text NOT NULL)",
          "CREATE TABLE accounts (id int PRIMARY KEY, branch int NOT NULL, owner text, balance bigint NOT NULL)",
          "CREATE TABLE history (id int, account int NOT NULL, delta bigint, PRIMARY KEY (id))",
          "CREATE INDEX accounts_branch ON accounts (branch)",
          "CREATE INDEX ON history (account, delta)",
          "INSERT INTO branches VALUES (1, 'north'), (2, 'south'), (3, 'east-end')");
      for (String sql : setup) {
        same(folio, reference, sql);
      }
      Random random = new Random(20261124);
      int historyId = 0;
      int compared = 0;
      for (int step = 0; step < 300; step++) {
        String sql = switch (random.nextInt(13)) {
          case 0, 1, 2 -> "INSERT INTO accounts VALUES (" + random.nextInt(60) + ", " + (1 + random.nextInt(3))
              + ", " + (random.nextInt(5) == 0 ? "NULL" : "'owner " + random.nextInt(20) + "'") + ", "
              + random.nextInt(1000) + ")";
          case 3 -> "UPDATE accounts SET balance = balance + " + (random.nextInt(200) - 100) + " WHERE id = "
              + random.nextInt(60);
          case 4 -> "INSERT INTO history VALUES (" + (++historyId) + ", " + random.nextInt(60) + ", "
              + (random.nextInt(200) - 100) + ")";
          case 5 -> "DELETE FROM accounts WHERE id = " + random.nextInt(60);
          case 6 -> "SELECT a.id, a.owner, b.name, a.balance FROM accounts a JOIN branches b ON a.branch = b.id "
              + "WHERE a.balance > " + random.nextInt(1000) + " ORDER BY a.id LIMIT " + (1 + random.nextInt(10));
          case 7 -> "SELECT b.name, count(*), sum(a.balance), min(a.balance), max(a.balance) FROM accounts a "
              + "JOIN branches b ON a.branch = b.id GROUP BY b.name ORDER BY b.name";
          case 8 -> "SELECT h.account, sum(h.delta) FROM history h WHERE h.account IN (SELECT id FROM accounts) "
              + "GROUP BY h.account ORDER BY h.account";
          case 9 -> "SELECT id, owner FROM accounts WHERE owner IS NULL OR owner LIKE 'owner 1%' ORDER BY id";
          case 10 -> "SELECT * FROM accounts WHERE id = " + random.nextInt(60);
          case 11 -> "SELECT id, balance FROM accounts WHERE branch = " + (1 + random.nextInt(3)) + " AND id "
              + (random.nextBoolean() ? ">= " : "< ") + random.nextInt(60) + " ORDER BY id";
          default -> "SELECT account, delta FROM history WHERE account = " + random.nextInt(60) + " AND delta > "
              + (random.nextInt(200) - 100) + " ORDER BY id";
        };
        if (random.nextInt(25) == 0) {
          boolean commit = random.nextBoolean();
          for (Connection c : List.of(folio, reference)) {
            c.setAutoCommit(false);
          }
          same(folio, reference, sql);
          same(folio, reference, "UPDATE accounts SET balance = balance * 2 WHERE branch = " + (1 + random.nextInt(3)));
          for (Connection c : List.of(folio, reference)) {
            if (commit) {
              c.commit();
            } else {
              c.rollback();
            }
            c.setAutoCommit(true);
          }
        } else {
          same(folio, reference, sql);
        }
        compared++;
      }
      same(folio, reference, "SELECT * FROM accounts ORDER BY id");
      same(folio, reference, "SELECT * FROM history ORDER BY id");
      assertThat(compared).isEqualTo(300);
      assertThat(compute.meters().get("folio_compute_scans").tag("access", "index").counter().count())
          .as("scans through an index").isGreaterThan(50);
    }
  }

  /** Runs {@code sql} on both and requires the same outcome. */
  private static void same(Connection folio, Connection reference, String sql) {
    assertThat(outcome(folio, sql)).as(sql).isEqualTo(outcome(reference, sql));
  }

  private static List<String> outcome(Connection c, String sql) {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement()) {
      if (s.execute(sql)) {
        try (ResultSet rs = s.getResultSet()) {
          out.addAll(Fixture.rows(rs));
        }
      } else {
        out.add("count " + s.getUpdateCount());
      }
    } catch (SQLException e) {
      out.add("error " + e.getSQLState());
    }
    return out;
  }
}
