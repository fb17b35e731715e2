package dev.folio.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.folio.format.Lsn;
import dev.folio.testsupport.KafkaEndpoint;
import dev.folio.testsupport.RealInfra;
import dev.folio.testsupport.S3Endpoint;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * {@code SET folio.as_of} on the real broker and page service: a session reads the database as it
 * was at each LSN and each time a workload recorded as it committed, writes nothing there (25006),
 * and reads the present again after RESET; bad values and a change inside a block are refused.
 */
@RealInfra
class TimeTravelTest {
  private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS 'UTC'")
      .withZone(ZoneOffset.UTC);

  private record Point(long lsn, Instant time, int rows) {}

  @Test
  void aSessionReadsThePast(KafkaEndpoint kafka, S3Endpoint s3) throws Exception {
    try (Fixture f = Fixture.start(kafka, s3); ComputeNode compute = f.compute(1 << 20);
        Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + compute.port() + "/main", "app",
            ""); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE notes (id int PRIMARY KEY, body text)");
      List<Point> points = new ArrayList<>();
      for (int i = 1; i <= 4; i++) {
        s.execute("INSERT INTO notes VALUES (" + i + ", 'note " + i + "')");
        points.add(new Point(compute.lsn(), Instant.now(), i));
        TimeUnit.MILLISECONDS.sleep(5);
      }
      for (Point p : points) {
        s.execute("SET folio.as_of = '" + Lsn.format(p.lsn()) + "'");
        assertThat(Fixture.rows(s.executeQuery("SELECT count(*) FROM notes"))).containsExactly(String.valueOf(p.rows()));
        s.execute("SET folio.as_of TO '" + UTC.format(p.time()) + "'");
        assertThat(Fixture.rows(s.executeQuery("SELECT max(id) FROM notes"))).containsExactly(String.valueOf(p.rows()));
      }
      assertThat(Fixture.rows(s.executeQuery("SHOW folio.as_of"))).hasSize(1);
      assertThatThrownBy(() -> s.execute("INSERT INTO notes VALUES (9, 'in the past')"))
          .isInstanceOfSatisfying(PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25006"));
      s.execute("RESET folio.as_of");
      assertThat(Fixture.rows(s.executeQuery("SELECT count(*) FROM notes"))).containsExactly("4");
      s.execute("INSERT INTO notes VALUES (5, 'now')");
      assertThat(Fixture.rows(s.executeQuery("SHOW folio.as_of"))).containsExactly("");

      assertThat(state(s, "SET folio.as_of = 'yesterday-ish'")).isEqualTo("22023");
      assertThat(state(s, "SET folio.as_of = '2999-01-01 00:00:00 UTC'")).isEqualTo("22023");
      assertThat(state(s, "SET folio.as_of = 'FF/0'")).isEqualTo("22023");
      assertThat(state(s, "SET folio.nonsense = 1")).isEqualTo("42704");
      c.setAutoCommit(false);
      s.executeQuery("SELECT 1").close();
      assertThat(state(s, "SET folio.as_of = '" + Lsn.format(points.get(0).lsn()) + "'")).isEqualTo("25001");
      c.rollback();
    }
  }

  private static String state(Statement s, String sql) {
    try {
      s.execute(sql);
      return "00000";
    } catch (SQLException e) {
      return e.getSQLState();
    }
  }
}
