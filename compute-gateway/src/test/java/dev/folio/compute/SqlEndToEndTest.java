package dev.folio.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.folio.compute.pgwire.PgServer;
import dev.folio.testsupport.KafkaEndpoint;
import dev.folio.testsupport.RealInfra;
import dev.folio.testsupport.S3Endpoint;
import dev.folio.wal.writer.WalWriterConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SQL through pgjdbc on a compute node over the real broker and page service: DDL, DML with
 * parameters, queries with joins, aggregates, ORDER BY and LIMIT, transactions and rollback,
 * errors with their SQLSTATE and a session that goes on; then a new compute on the same timeline
 * (a tiny buffer cache) sees exactly the committed data.
 */
@RealInfra
class SqlEndToEndTest {
  @Test
  void sqlOverTheLog(KafkaEndpoint kafka, S3Endpoint s3) throws Exception {
    try (Fixture f = Fixture.start(kafka, s3)) {
      ComputeNode.Config config = new ComputeNode.Config(WalWriterConfig.of(kafka.bootstrapServers(), f.topic()),
          "127.0.0.1", f.pageServer().grpcPort(), Fixture.TENANT, f.timeline(), f.token(), 16 * 8192L,
          new PgServer.Config("127.0.0.1", 0, false, Map.of("app", "pw")), 0);
      List<String> committed;
      try (ComputeNode compute = ComputeNode.start(config); Connection c = connect(compute)) {
        assertThat(compute.id()).matches("c-[a-z0-9]{12}");
        assertThat(http(compute, "/health")).startsWith("200 ").contains("ok");
        try (Statement s = c.createStatement()) {
          s.execute("CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance bigint)");
          s.execute("create table branches (id integer, name varchar(20), primary key (id))");
          s.execute("INSERT INTO branches VALUES (1, 'north'), (2, 'south-east')");
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO accounts (id, owner, balance) VALUES ($1, $2, $3)"
            .replace("$1", "?").replace("$2", "?").replace("$3", "?"))) {
          for (int i = 1; i <= 40; i++) {
            p.setInt(1, i);
            p.setString(2, "owner's " + i);
            p.setLong(3, i * 100L);
            p.addBatch();
          }
          p.executeBatch();
        }
        try (Statement s = c.createStatement()) {
          assertThat(strings(s, "SELECT owner, balance FROM accounts WHERE id = 7")).containsExactly("owner's 7|700");
          assertThat(strings(s, "SELECT count(*), sum(balance) FROM accounts")).containsExactly("40|82000");
          assertThat(strings(s, "SELECT id FROM accounts WHERE balance > 3500 ORDER BY id DESC LIMIT 3"))
              .containsExactly("40", "39", "38");
          assertThat(strings(s, "SELECT b.name, count(*) FROM accounts a JOIN branches b ON a.id % 2 + 1 = b.id "
              + "GROUP BY b.name ORDER BY b.name")).containsExactly("north|20", "south-east|20");
          assertThat(s.executeUpdate("UPDATE accounts SET balance = balance + 1 WHERE id <= 10")).isEqualTo(10);
          assertThat(s.executeUpdate("DELETE FROM accounts WHERE id > 35")).isEqualTo(5);

          assertThat(sqlState(() -> s.execute("SELECT * FROM nowhere"))).isEqualTo("42P01");
          assertThat(sqlState(() -> s.execute("INSERT INTO accounts VALUES (1, 'dup', 0)"))).isEqualTo("23505");
          assertThat(sqlState(() -> s.execute("INSERT INTO accounts VALUES (99, NULL, 0)"))).isEqualTo("23502");
          assertThat(sqlState(() -> s.execute("SELEC 1"))).isEqualTo("42601");
          assertThat(sqlState(() -> s.execute("SELECT nope FROM accounts"))).isEqualTo("42703");
          try (ResultSet rs = s.executeQuery("SELECT count(*), max(balance) AS top FROM accounts")) {
            assertThat(rs.getMetaData().getColumnName(1)).isEqualTo("count");
            assertThat(rs.getMetaData().getColumnName(2)).isEqualTo("top");
          }
          assertThat(strings(s, "SELECT count(*) FROM accounts")).containsExactly("35");
        }
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
          s.executeUpdate("UPDATE accounts SET balance = 0");
          s.executeUpdate("INSERT INTO accounts VALUES (100, 'temp', 1)");
          c.rollback();
          s.executeUpdate("UPDATE accounts SET balance = balance - 50 WHERE id = 1");
          s.executeUpdate("UPDATE accounts SET balance = balance + 50 WHERE id = 2");
          c.commit();
          committed = strings(s, "SELECT id, owner, balance FROM accounts ORDER BY id");
        }
        assertThat(committed).hasSize(35).contains("1|owner's 1|51", "2|owner's 2|251", "11|owner's 11|1100");
        long total;
        try (Statement s = c.createStatement()) {
          total = Long.parseLong(strings(s, "SELECT sum(balance) FROM accounts").get(0));
        }
        // Concurrent transfers: money moves, none appears or vanishes, no update is lost.
        List<Thread> clients = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
          int seed = t;
          clients.add(new Thread(() -> {
            java.util.Random random = new java.util.Random(seed);
            try (Connection tc = connect(compute)) {
              tc.setAutoCommit(false);
              try (PreparedStatement debit = tc.prepareStatement("UPDATE accounts SET balance = balance - ? WHERE id = ?");
                  PreparedStatement credit = tc.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?")) {
                for (int i = 0; i < 15; i++) {
                  int from = 1 + random.nextInt(35);
                  int to = 1 + random.nextInt(35);
                  while (true) {
                    try {
                      debit.setLong(1, 10);
                      debit.setInt(2, from);
                      debit.executeUpdate();
                      credit.setLong(1, 10);
                      credit.setInt(2, to);
                      credit.executeUpdate();
                      tc.commit();
                      break;
                    } catch (SQLException e) {
                      // Two transfers that lock the same accounts in opposite orders: one is refused; retry it.
                      assertThat(e.getSQLState()).isEqualTo("40P01");
                      tc.rollback();
                    }
                  }
                }
              }
            } catch (Throwable e) {
              failures.add(e);
            }
          }));
        }
        clients.forEach(Thread::start);
        for (Thread t : clients) {
          t.join();
        }
        assertThat(failures).isEmpty();
        try (Statement s = c.createStatement()) {
          assertThat(strings(s, "SELECT sum(balance), count(*) FROM accounts")).containsExactly(total + "|35");
          committed = strings(s, "SELECT id, owner, balance FROM accounts ORDER BY id");
        }
      }
      // Stateless: a new compute on the timeline, with a cache far smaller than the data.
      try (ComputeNode second = ComputeNode.start(config)) {
        // A third compute on the timeline fences the second's writer: it says so on /health.
        try (ComputeNode third = ComputeNode.start(config)) {
          await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
            try (Connection c = connect(second); Statement s = c.createStatement()) {
              s.executeUpdate("UPDATE branches SET name = name WHERE id = 1");
            } catch (SQLException expected) {
              // the fenced writer's commit fails; the health check is what this waits for
            }
            assertThat(http(second, "/health")).startsWith("503 ");
          });
          assertThat(http(third, "/metrics")).contains("folio_compute_buffer_cache_misses_total",
              "folio_compute_scans_total", "folio_compute_lock_waiters");
        }
      }
      try (ComputeNode compute = ComputeNode.start(config); Connection c = connect(compute);
          Statement s = c.createStatement()) {
        assertThat(strings(s, "SELECT id, owner, balance FROM accounts ORDER BY id")).isEqualTo(committed);
        assertThat(strings(s, "SELECT name FROM branches ORDER BY id")).containsExactly("north", "south-east");
      }
    }
  }

  /**
   * Indexes: built over existing rows, kept by inserts, updates and deletes, used for lookups and
   * ranges (the scan counter says so), guarding unique keys with PostgreSQL's errors, transactional
   * like any catalog change, and found again by a new compute.
   */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES) // a writer's turn never passed on would hang, not fail
  void indexesFindRowsAndGuardKeys(KafkaEndpoint kafka, S3Endpoint s3) throws Exception {
    try (Fixture f = Fixture.start(kafka, s3)) {
      ComputeNode.Config config = new ComputeNode.Config(WalWriterConfig.of(kafka.bootstrapServers(), f.topic()),
          "127.0.0.1", f.pageServer().grpcPort(), Fixture.TENANT, f.timeline(), f.token(), 64 * 8192L,
          new PgServer.Config("127.0.0.1", 0, false, Map.of("app", "pw")));
      List<String> lookups = List.of("SELECT id, price FROM items WHERE sku = 'sku-7' ORDER BY id",
          "SELECT count(*) FROM items WHERE id >= 50 AND id < 250", "SELECT id FROM items WHERE sku = 'moved'",
          "SELECT sku, qty FROM items WHERE id = 499");
      List<String> answers = new ArrayList<>();
      try (ComputeNode compute = ComputeNode.start(config); Connection c = connect(compute);
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE items (id int, sku text, qty int, price float8)");
        try (PreparedStatement p = c.prepareStatement("INSERT INTO items VALUES (?, ?, ?, ?)")) {
          for (int i = 0; i < 500; i++) {
            p.setInt(1, i);
            p.setString(2, "sku-" + i % 50);
            p.setInt(3, i % 7);
            p.setDouble(4, i / 4.0);
            p.addBatch();
          }
          p.executeBatch();
        }
        s.execute("CREATE INDEX items_sku ON items (sku)");
        double before = indexScans(compute);
        assertThat(strings(s, "SELECT count(*) FROM items WHERE sku = 'sku-7'")).containsExactly("10");
        assertThat(indexScans(compute)).isEqualTo(before + 1);

        s.execute("CREATE UNIQUE INDEX items_id ON items (id)");
        SQLException duplicate = error(() -> s.execute("INSERT INTO items VALUES (3, 'x', 0, 0)"));
        assertThat(duplicate.getSQLState()).isEqualTo("23505");
        assertThat(duplicate.getMessage()).contains("\"items_id\"").contains("Key (id)=(3) already exists.");
        s.execute("ALTER TABLE items ADD PRIMARY KEY (id)");
        assertThat(error(() -> s.execute("ALTER TABLE items ADD PRIMARY KEY (sku)")).getSQLState()).isEqualTo("42P16");
        assertThat(error(() -> s.execute("CREATE UNIQUE INDEX ON items (qty)")).getSQLState()).isEqualTo("23505");
        assertThat(error(() -> s.execute("CREATE INDEX items_sku ON items (qty)")).getSQLState()).isEqualTo("42P07");
        assertThat(error(() -> s.execute("DROP INDEX items_pkey")).getSQLState()).isEqualTo("2BP01");
        assertThat(error(() -> s.execute("DROP INDEX nowhere")).getSQLState()).isEqualTo("42704");
        s.execute("DROP INDEX IF EXISTS nowhere");

        assertThat(s.executeUpdate("UPDATE items SET sku = 'moved' WHERE id = 10")).isEqualTo(1);
        assertThat(s.executeUpdate("DELETE FROM items WHERE id >= 100 AND id < 200")).isEqualTo(100);
        s.execute("INSERT INTO items VALUES (150, 'back', 1, 1.5)");
        // A client that goes away inside a transaction: its work is rolled back, and its turn to write passes on.
        try (Connection gone = connect(compute)) {
          gone.setAutoCommit(false);
          gone.createStatement().execute("INSERT INTO items VALUES (2000, 'abandoned', 1, 1)");
        }
        s.execute("INSERT INTO items VALUES (2001, 'after', 1, 1)");
        assertThat(strings(s, "SELECT id FROM items WHERE id >= 2000")).containsExactly("2001");
        s.execute("DELETE FROM items WHERE id = 2001");
        c.setAutoCommit(false);
        s.execute("CREATE INDEX items_qty ON items (qty)");
        s.execute("INSERT INTO items VALUES (1000, 'gone', 1, 1)");
        c.rollback();
        c.setAutoCommit(true);
        s.execute("CREATE INDEX items_qty ON items (qty)");
        assertThat(strings(s, "SELECT count(*) FROM items WHERE id = 1000")).containsExactly("0");
        assertThat(strings(s, "SELECT count(*) FROM items WHERE qty = 1")).containsExactly(
            strings(s, "SELECT count(*) FROM items WHERE qty + 0 = 1").get(0));

        before = indexScans(compute);
        try (PreparedStatement p = c.prepareStatement("SELECT price FROM items WHERE id = ?")) {
          for (int id : new int[] {0, 150, 199, 498}) {
            p.setInt(1, id);
            try (ResultSet rs = p.executeQuery()) {
              assertThat(Fixture.rows(rs)).containsExactly(id == 199 ? new String[0]
                  : new String[] {id == 150 ? "1.5" : String.valueOf(id / 4.0).replaceAll("\\.0$", "")});
            }
          }
        }
        assertThat(indexScans(compute)).isEqualTo(before + 4);
        // The simple protocol: point queries that differ in their values share one plan.
        try (Connection simple = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + compute.port()
            + "/main?preferQueryMode=simple", "app", "pw"); Statement ss = simple.createStatement()) {
          assertThat(strings(ss, "SELECT price FROM items WHERE id = 0")).containsExactly("0");
          double compiled = compute.meters().get("folio_compute_plans_compiled").counter().count();
          for (int id = 200; id < 220; id++) {
            assertThat(strings(ss, "SELECT price FROM items WHERE id = " + id)).containsExactly(
                String.valueOf(id / 4.0).replaceAll("\\.0$", ""));
          }
          assertThat(strings(ss, "SELECT count(*) FROM items WHERE sku = 'sku-7'")).containsExactly("8");
          assertThat(compute.meters().get("folio_compute_plans_compiled").counter().count()).isEqualTo(compiled + 1);
          // …and so do changes: the query behind the ten UPDATEs is planned once (and the check after them once).
          for (int id = 300; id < 310; id++) {
            assertThat(ss.executeUpdate("UPDATE items SET qty = qty + " + id + " WHERE id = " + id)).isEqualTo(1);
          }
          assertThat(strings(ss, "SELECT qty FROM items WHERE id = 309")).containsExactly(String.valueOf(309 % 7 + 309));
          assertThat(compute.meters().get("folio_compute_plans_compiled").counter().count()).isEqualTo(compiled + 3);
        }
        // An index nested-loop join: a lookup in items_pkey per outer row, the same rows as a hash join finds.
        before = indexScans(compute);
        String joined = strings(s, "SELECT count(*), sum(b.price) FROM items a JOIN items b ON b.id = a.qty").get(0);
        assertThat(indexScans(compute) - before).isGreaterThanOrEqualTo(400);
        assertThat(joined).isEqualTo(strings(s, "SELECT count(*), sum(b.price) FROM items a JOIN items b ON b.id + 0 = a.qty")
            .get(0)).startsWith(strings(s, "SELECT count(*) FROM items").get(0) + "|");
        for (String q : lookups) {
          answers.add(String.join(",", strings(s, q)));
        }
        assertThat(answers).containsExactly("7|1.75,57|14.25,207|51.75,257|64.25,307|76.75,357|89.25,407|101.75,"
            + "457|114.25", "101", "10", "sku-49|2");
      }
      try (ComputeNode compute = ComputeNode.start(config); Connection c = connect(compute);
          Statement s = c.createStatement()) {
        for (int i = 0; i < lookups.size(); i++) {
          assertThat(String.join(",", strings(s, lookups.get(i)))).isEqualTo(answers.get(i));
        }
        assertThat(indexScans(compute)).isEqualTo(lookups.size());
      }
    }
  }

  private static double indexScans(ComputeNode compute) {
    return compute.meters().get("folio_compute_scans").tag("access", "index").counter().count();
  }

  private static SQLException error(Call call) {
    try {
      call.run();
    } catch (SQLException e) {
      return e;
    }
    throw new AssertionError("expected an error");
  }

  /** The status code and body of a GET on the compute's health and metrics port. */
  private static String http(ComputeNode compute, String path) throws Exception {
    java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + compute.httpPort() + path)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body();
  }

  private static Connection connect(ComputeNode compute) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + compute.port() + "/main", "app", "pw");
  }

  private static List<String> strings(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      return Fixture.rows(rs);
    }
  }

  private interface Call {
    void run() throws SQLException;
  }

  private static String sqlState(Call call) {
    return error(call).getSQLState();
  }
}
