package dev.folio.compute.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.folio.compute.ComputeNode;
import static dev.folio.compute.gateway.ManagedGateway.ADMIN;
import static dev.folio.compute.gateway.ManagedGateway.api;

import dev.folio.compute.Fixture;
import dev.folio.testsupport.KafkaEndpoint;
import dev.folio.testsupport.RealInfra;
import dev.folio.testsupport.S3Endpoint;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.util.PSQLException;

/**
 * Hot replicas and static computes on the real broker, S3 and page service, through the gateway:
 * a commit on the primary shows on the replica (read-only address) within its lag; with write
 * forwarding off a replica refuses writes with 25006, with it on they go to the primary, in and out
 * of transaction blocks, and the replica reads them back at once; a reader on the replica sees a constant total while transfers commit
 * on the primary (its snapshots hold); a static compute at an LSN shows exactly what was committed
 * by then; the gateway adds replicas as read-only sessions grow and stops them when idle; a new
 * primary fences the old one and the replica follows it.
 */
@RealInfra
class ReplicaTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void replicasFollowThePrimary(KafkaEndpoint kafka, S3Endpoint s3) throws Exception {
    try (Fixture f = Fixture.start(kafka, s3); Gateway gateway = start(f, false)) {
      try (Connection c = primary(gateway); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)");
        for (int i = 1; i <= 10; i++) {
          s.execute("INSERT INTO accounts VALUES (" + i + ", 100)");
        }
      }
      String early = lsnOf(gateway, "primary");
      Instant earlyTime = Instant.now();

      try (Connection replica = readOnly(gateway); Statement r = replica.createStatement();
          Connection c = primary(gateway); Statement s = c.createStatement()) {
        assertThat(sum(r)).isEqualTo(1000);
        JsonNode replicas = computes(gateway, "replica");
        assertThat(replicas).hasSize(1);
        assertThat(replicas.get(0).get("state").asText()).isEqualTo("active");

        // A commit on the primary shows on the replica; its lag is reported meanwhile.
        s.execute("INSERT INTO accounts VALUES (11, 0)");
        await().atMost(Duration.ofSeconds(30)).until(() -> count(r) == 11);
        assertThat(computes(gateway, "replica").get(0).get("replica_lag").asLong()).isNotNegative();

        assertThatThrownBy(() -> r.execute("UPDATE accounts SET balance = 0"))
            .isInstanceOfSatisfying(PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25006"));
        assertThatThrownBy(() -> r.execute("CREATE TABLE nope (a int)"))
            .isInstanceOfSatisfying(PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25006"));

        // Transfers commit on the primary while the replica's reader sums: always 1000.
        AtomicBoolean done = new AtomicBoolean();
        CompletableFuture<Integer> transfers = CompletableFuture.supplyAsync(() -> {
          try (Connection w = primary(gateway); Statement ws = w.createStatement()) {
            w.setAutoCommit(false);
            for (int i = 0; i < 60; i++) {
              int from = ThreadLocalRandom.current().nextInt(1, 11);
              int to = from % 10 + 1;
              ws.executeUpdate("UPDATE accounts SET balance = balance - 7 WHERE id = " + from);
              ws.executeUpdate("UPDATE accounts SET balance = balance + 7 WHERE id = " + to);
              w.commit();
            }
            return 60;
          } catch (SQLException e) {
            throw new RuntimeException(e);
          } finally {
            done.set(true);
          }
        });
        List<Long> sums = new ArrayList<>();
        while (!done.get()) {
          sums.add(sum(r));
        }
        assertThat(transfers.join()).isEqualTo(60);
        assertThat(sums).isNotEmpty().containsOnly(1000L);
        String last = lsnOf(gateway, "primary");
        await().atMost(Duration.ofSeconds(30)).until(() -> lsnOf(gateway, "replica").equals(last));
        assertThat(rows(r, "SELECT id, balance FROM accounts ORDER BY id"))
            .isEqualTo(rows(s, "SELECT id, balance FROM accounts ORDER BY id"));
      }

      // A static compute at the early LSN: ten accounts of 100, whatever came after.
      JsonNode fixed = api(gateway, "POST", "/v1/computes",
          "{\"branch\": \"main\", \"role\": \"static\", \"at_lsn\": \"" + early + "\"}");
      assertThat(fixed.get("role").asText()).isEqualTo("static");
      assertThat(fixed.get("current_lsn").asText()).isEqualTo(early);
      try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + fixed.get("address").asText() + "/main",
          "app", ""); Statement s = c.createStatement()) {
        assertThat(rows(s, "SELECT count(*), sum(balance) FROM accounts")).containsExactly("10|1000");
        assertThatThrownBy(() -> s.execute("DELETE FROM accounts"))
            .isInstanceOfSatisfying(PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25006"));
      }
      assertThat(api(gateway, "POST", "/v1/computes", "{\"branch\": \"main\", \"role\": \"static\", "
          + "\"at_lsn\": \"FF/0\"}").get("code").asText()).isEqualTo("57P03");
      // The same by time: the last commit at or before it.
      JsonNode byTime = api(gateway, "POST", "/v1/computes",
          "{\"branch\": \"main\", \"role\": \"static\", \"at_time\": \"" + earlyTime + "\"}");
      try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + byTime.get("address").asText() + "/main",
          "app", ""); Statement s = c.createStatement()) {
        assertThat(rows(s, "SELECT count(*), sum(balance) FROM accounts")).containsExactly("10|1000");
      }
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void elasticReplicasWritesForwardedAndANewPrimary(KafkaEndpoint kafka, S3Endpoint s3) throws Exception {
    try (Fixture f = Fixture.start(kafka, s3); Gateway gateway = start(f, true)) {
      try (Connection c = primary(gateway); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE kv (k int PRIMARY KEY, v text)");
        s.execute("INSERT INTO kv VALUES (1, 'one')");
      }
      // Two read-only sessions per replica: a third session brings a second replica.
      List<Connection> sessions = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          Connection c = readOnly(gateway);
          sessions.add(c);
          try (Statement s = c.createStatement()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> count(s, "kv") == 1);
          }
        }
        assertThat(computes(gateway, "replica")).hasSize(2);
      } finally {
        for (Connection c : sessions) {
          c.close();
        }
      }
      // Writes sent to a replica go to the primary: in the log, read back at once on the replica.
      try (Connection replica = readOnly(gateway); Statement r = replica.createStatement();
          Connection c = primary(gateway); Statement s = c.createStatement()) {
        assertThat(r.executeUpdate("INSERT INTO kv VALUES (10, 'through a replica')")).isEqualTo(1);
        assertThat(rows(r, "SELECT v FROM kv WHERE k = 10")).containsExactly("through a replica");
        assertThat(rows(s, "SELECT v FROM kv WHERE k = 10")).containsExactly("through a replica");
        replica.setAutoCommit(false);
        assertThat(r.executeUpdate("UPDATE kv SET v = 'in a block' WHERE k = 10")).isEqualTo(1);
        assertThat(r.executeUpdate("DELETE FROM kv WHERE k = 10")).isEqualTo(1);
        replica.rollback();
        assertThat(rows(r, "SELECT v FROM kv WHERE k = 10")).containsExactly("through a replica");
        assertThat(r.executeUpdate("UPDATE kv SET v = 'committed in a block' WHERE k = 10")).isEqualTo(1);
        replica.commit();
        replica.setAutoCommit(true);
        assertThat(rows(r, "SELECT v FROM kv WHERE k = 10")).containsExactly("committed in a block");
        assertThat(rows(s, "SELECT v FROM kv WHERE k = 10")).containsExactly("committed in a block");
        assertThatThrownBy(() -> r.execute("INSERT INTO kv VALUES (10, 'again')"))
            .isInstanceOfSatisfying(PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("23505"));
        s.execute("DELETE FROM kv WHERE k = 10");
      }

      // Idle, the replicas the gateway added are stopped; the primary is only suspended.
      await().atMost(Duration.ofSeconds(60)).until(() -> computes(gateway, "replica").isEmpty());

      // A new primary: the old one is stopped, a new one takes over; a replica follows it.
      String old = computes(gateway, "primary").get(0).get("id").asText();
      api(gateway, "POST", "/v1/computes/" + old + "/stop", null);
      try (Connection c = primary(gateway); Statement s = c.createStatement();
          Connection replica = readOnly(gateway); Statement r = replica.createStatement()) {
        s.execute("INSERT INTO kv VALUES (2, 'two')");
        await().atMost(Duration.ofSeconds(30)).until(() -> count(r, "kv") == 2);
        assertThat(computes(gateway, "primary").get(0).get("id").asText()).isNotEqualTo(old);
      }
    }
  }

  /** A gateway over the fixture's timeline as branch main: two read-only sessions per replica, 2 s idle. */
  private static Gateway start(Fixture f, boolean writeForwarding) throws Exception {
    ComputeNode.Config compute = ManagedGateway.compute(f);
    return Gateway.start(new Gateway.Config("127.0.0.1", 0, null, 0, ADMIN, Duration.ofSeconds(2), 0, 2,
        writeForwarding), ManagedGateway.mainOnly(f),
        (spec, computes) -> ComputeNode.start(compute, spec, computes));
  }

  private static Connection primary(Gateway gateway) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + gateway.port() + "/main", "app", "");
  }

  private static Connection readOnly(Gateway gateway) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + gateway.readOnlyPort() + "/main", "app", "");
  }

  private static long sum(Statement s) throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT sum(balance) FROM accounts WHERE id <= 10")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static long count(Statement s) throws SQLException {
    return count(s, "accounts");
  }

  private static long count(Statement s, String table) throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static List<String> rows(Statement s, String sql) throws SQLException {
    return Fixture.rows(s.executeQuery(sql));
  }

  private String lsnOf(Gateway gateway, String role) throws Exception {
    return computes(gateway, role).get(0).get("current_lsn").asText();
  }

  private JsonNode computes(Gateway gateway, String role) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    api(gateway, "GET", "/v1/computes", null).get("computes").forEach(c -> {
      if (c.get("role").asText().equals(role)) {
        out.add(c);
      }
    });
    return JSON.valueToTree(out);
  }

}
