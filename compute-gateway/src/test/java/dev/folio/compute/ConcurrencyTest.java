package dev.folio.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.folio.testsupport.KafkaEndpoint;
import dev.folio.testsupport.RealInfra;
import dev.folio.testsupport.S3Endpoint;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Transactions side by side, as PostgreSQL runs them: row locks that make a concurrent update wait
 * and then re-check the newest version (READ COMMITTED), no lost update, one winner per unique key,
 * deadlocks refused with 40P01, a waiting statement canceled with 57014, REPEATABLE READ's one snapshot and its 40001, and readers that see
 * every transaction whole while transfers run; at the end every account holds exactly what the
 * committed transfers say.
 */
@RealInfra
@Timeout(value = 5, unit = TimeUnit.MINUTES) // a lock never released would hang, not fail
class ConcurrencyTest {
  @Test
  void transactionsAsPostgresRunsThem(KafkaEndpoint kafka, S3Endpoint s3) throws Exception {
    ExecutorService clients = Executors.newCachedThreadPool();
    try (Fixture f = Fixture.start(kafka, s3);
        ComputeNode compute = f.compute(256 * 8192L);
        Connection a = connect(compute);
        Connection b = connect(compute);
        Statement sa = a.createStatement();
        Statement sb = b.createStatement()) {
      sa.execute("CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)");
      sa.execute("CREATE TABLE keys (k int PRIMARY KEY, who int)");
      sa.execute("CREATE TABLE counters (id int PRIMARY KEY, n bigint NOT NULL)");
      sa.execute("INSERT INTO counters VALUES (1, 0)");
      StringBuilder rows = new StringBuilder("INSERT INTO accounts VALUES (1, 100)");
      for (int i = 2; i <= 19; i++) {
        rows.append(", (").append(i).append(", 100)");
      }
      sa.execute(rows.toString());

      // READ COMMITTED: b waits for a's row lock, then updates the version a committed.
      a.setAutoCommit(false);
      sa.executeUpdate("UPDATE accounts SET balance = balance + 10 WHERE id = 1");
      CompletableFuture<Integer> doubled = CompletableFuture.supplyAsync(
          () -> update(sb, "UPDATE accounts SET balance = balance * 2 WHERE id = 1 AND balance >= 100"), clients);
      await().atMost(Duration.ofMinutes(1)).until(() -> waiters(compute) == 1);
      a.commit();
      assertThat(doubled.get()).isEqualTo(1);
      assertThat(value(sa, "SELECT balance FROM accounts WHERE id = 1")).isEqualTo("220");
      // …and re-checks the condition on it: the newest version no longer matches.
      sa.executeUpdate("UPDATE accounts SET balance = 50 WHERE id = 1");
      CompletableFuture<Integer> none = CompletableFuture.supplyAsync(
          () -> update(sb, "UPDATE accounts SET balance = balance * 2 WHERE id = 1 AND balance >= 100"), clients);
      await().atMost(Duration.ofMinutes(1)).until(() -> waiters(compute) == 1);
      a.commit();
      assertThat(none.get()).isZero();
      assertThat(value(sa, "SELECT balance FROM accounts WHERE id = 1")).isEqualTo("50");

      // A deadlock: each holds a row the other wants; one is refused, the other goes on.
      sa.executeUpdate("UPDATE accounts SET balance = balance + 1 WHERE id = 2");
      b.setAutoCommit(false);
      sb.executeUpdate("UPDATE accounts SET balance = balance + 1 WHERE id = 3");
      CompletableFuture<String> first = CompletableFuture.supplyAsync(
          () -> outcome(sa, "UPDATE accounts SET balance = balance + 1 WHERE id = 3"), clients);
      await().atMost(Duration.ofMinutes(1)).until(() -> waiters(compute) == 1);
      String second = outcome(sb, "UPDATE accounts SET balance = balance + 1 WHERE id = 2");
      assertThat(second).isEqualTo("40P01");
      b.rollback();
      assertThat(first.get()).isEqualTo("1");
      a.commit();
      assertThat(value(sa, "SELECT balance FROM accounts WHERE id = 2")).isEqualTo("101");
      assertThat(value(sa, "SELECT balance FROM accounts WHERE id = 3")).isEqualTo("101");

      // A statement waiting for a lock is canceled (CancelRequest from pgjdbc): 57014, and the session goes on.
      a.setAutoCommit(false);
      sa.executeUpdate("UPDATE accounts SET balance = balance + 1 WHERE id = 5");
      CompletableFuture<String> canceled = CompletableFuture.supplyAsync(
          () -> outcome(sb, "UPDATE accounts SET balance = 0 WHERE id = 5"), clients);
      await().atMost(Duration.ofMinutes(1)).until(() -> waiters(compute) == 1);
      sb.cancel();
      assertThat(canceled.get()).isEqualTo("57014");
      b.rollback();
      a.commit();
      assertThat(value(sb, "SELECT balance FROM accounts WHERE id = 5")).isEqualTo("101");
      b.commit();

      // REPEATABLE READ: one snapshot for the transaction, and 40001 on a row changed since.
      b.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      assertThat(value(sb, "SELECT balance FROM accounts WHERE id = 4")).isEqualTo("100");
      a.setAutoCommit(true);
      sa.executeUpdate("UPDATE accounts SET balance = 7 WHERE id = 4");
      assertThat(value(sb, "SELECT balance FROM accounts WHERE id = 4")).isEqualTo("100");
      assertThat(outcome(sb, "UPDATE accounts SET balance = 0 WHERE id = 4")).isEqualTo("40001");
      b.rollback();
      b.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      assertThat(value(sb, "SELECT balance FROM accounts WHERE id = 4")).isEqualTo("7");
      b.commit();
      b.setAutoCommit(true);

      long total = Long.parseLong(value(sa, "SELECT sum(balance) FROM accounts"));
      Map<Integer, Long> expected = new java.util.TreeMap<>();
      for (String r : Fixture.rows(sa.executeQuery("SELECT id, balance FROM accounts"))) {
        expected.put(Integer.valueOf(r.split("\\|")[0]), Long.valueOf(r.split("\\|")[1]));
      }
      // Transfers, counters and key races at once; a reader sees a constant total throughout.
      AtomicBoolean running = new AtomicBoolean(true);
      List<String> totals = Collections.synchronizedList(new ArrayList<>());
      CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
        try (Connection c = connect(compute); Statement s = c.createStatement()) {
          while (running.get()) {
            totals.add(value(s, "SELECT sum(balance) FROM accounts"));
          }
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      }, clients);
      List<CompletableFuture<Work>> writers = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int seed = w;
        writers.add(CompletableFuture.supplyAsync(() -> transferAndClaim(compute, seed), clients));
      }
      List<Integer> claimed = new ArrayList<>();
      for (CompletableFuture<Work> w : writers) {
        claimed.addAll(w.get().claimed());
        for (int[] move : w.get().transfers()) {
          expected.merge(move[0], (long) -move[2], Long::sum);
          expected.merge(move[1], (long) move[2], Long::sum);
        }
      }
      running.set(false);
      reader.get();
      assertThat(totals).isNotEmpty().containsOnly(String.valueOf(total));
      assertThat(value(sa, "SELECT sum(balance) FROM accounts")).isEqualTo(String.valueOf(total));
      assertThat(value(sa, "SELECT n FROM counters WHERE id = 1")).isEqualTo(String.valueOf(4 * 20));
      // Every key was claimed by exactly one writer, and the table agrees with the winners.
      Collections.sort(claimed);
      List<Integer> all = new ArrayList<>();
      for (int k = 1; k <= 30; k++) {
        all.add(k);
      }
      assertThat(claimed).isEqualTo(all);
      assertThat(value(sa, "SELECT count(*) FROM keys")).isEqualTo("30");
    } finally {
      clients.shutdownNow();
    }
  }

  /** What a writer did: its committed transfers (from, to, amount) and the keys it won. */
  private record Work(List<int[]> transfers, List<Integer> claimed) {}

  /**
   * Moves money between random accounts (retrying deadlocks as an application does), increments
   * the counter twenty times, and tries to claim keys 1..30 in a random order.
   */
  private static Work transferAndClaim(ComputeNode compute, int seed) {
    Random random = new Random(seed);
    List<Integer> won = new ArrayList<>();
    List<int[]> transfers = new ArrayList<>();
    try (Connection c = connect(compute);
        PreparedStatement move = c.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?");
        PreparedStatement claim = c.prepareStatement("INSERT INTO keys VALUES (?, ?)");
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      List<Integer> keys = new ArrayList<>();
      for (int k = 1; k <= 30; k++) {
        keys.add(k);
      }
      Collections.shuffle(keys, random);
      for (int i = 0; i < 30; i++) {
        int from = 1 + random.nextInt(19);
        int to = 1 + random.nextInt(19);
        int amount = 1 + random.nextInt(20);
        while (true) {
          try {
            move.setLong(1, -amount);
            move.setInt(2, from);
            assertThat(move.executeUpdate()).isEqualTo(1);
            move.setLong(1, amount);
            move.setInt(2, to);
            assertThat(move.executeUpdate()).isEqualTo(1);
            c.commit();
            transfers.add(new int[] {from, to, amount});
            break;
          } catch (SQLException e) {
            assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo("40P01");
            c.rollback();
          }
        }
        if (i < 20) {
          assertThat(s.executeUpdate("UPDATE counters SET n = n + 1 WHERE id = 1")).isEqualTo(1);
          c.commit();
        }
        claim.setInt(1, keys.get(i));
        claim.setInt(2, seed);
        try {
          claim.executeUpdate();
          c.commit();
          won.add(keys.get(i));
        } catch (SQLException e) {
          assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo("23505");
          c.rollback();
        }
      }
      return new Work(transfers, won);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static double waiters(ComputeNode compute) {
    return compute.meters().get("folio_compute_lock_waiters").gauge().value();
  }

  private static int update(Statement s, String sql) {
    try {
      return s.executeUpdate(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The update count, or the SQLSTATE of the error. */
  private static String outcome(Statement s, String sql) {
    try {
      return String.valueOf(s.executeUpdate(sql));
    } catch (SQLException e) {
      return e.getSQLState();
    }
  }

  private static String value(Statement s, String sql) {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Connection connect(ComputeNode compute) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + compute.port() + "/main", "app", "");
  }
}
