package dev.folio.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.folio.testsupport.KafkaEndpoint;
import dev.folio.testsupport.LocalPostgres;
import dev.folio.testsupport.RealInfra;
import dev.folio.testsupport.S3Endpoint;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every column type, written through pgjdbc's setters and read back through its getters, in text
 * and (prepared, binary) form, against Folio and a private PostgreSQL 15 side by side: the values,
 * their text, the column types pgjdbc reports, and the SQLSTATE of every value a type refuses.
 */
@RealInfra
class TypesTest {
  private static final String TABLE = "CREATE TABLE typed (id int PRIMARY KEY, s smallint, i integer, b bigint, "
      + "r real, d double precision, n numeric(10,2), nn numeric, t text, v varchar(5), c char(3), bt bytea, "
      + "dt date, ts timestamp, tz timestamptz, ok boolean)";

  @Test
  void pgjdbcReadsBackWhatItWrote(KafkaEndpoint kafka, S3Endpoint s3) throws Exception {
    assumeTrue(LocalPostgres.available(), "PostgreSQL's binaries are not installed");
    try (LocalPostgres postgres = LocalPostgres.start();
        Fixture f = Fixture.start(kafka, s3);
        ComputeNode compute = f.compute(64 * 8192L);
        // prepareThreshold=1: from the first execution, statements are prepared and results binary.
        Connection folio = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + compute.port()
            + "/main?user=app&prepareThreshold=1");
        Connection reference = DriverManager.getConnection(postgres.jdbcUrl() + "&prepareThreshold=1")) {
      for (Connection c : List.of(folio, reference)) {
        try (Statement s = c.createStatement()) {
          s.execute(TABLE);
        }
        insert(c);
      }
      assertThat(types(folio)).isEqualTo(types(reference));
      for (String query : List.of("SELECT * FROM typed ORDER BY id", "SELECT * FROM typed WHERE id = ?")) {
        for (int pass = 0; pass < 3; pass++) {
          assertThat(read(folio, query)).as(query).isEqualTo(read(reference, query));
        }
      }
      assertThat(read(folio, "SELECT * FROM typed ORDER BY id")).hasSize(6);
      try (Statement s = folio.createStatement()) {
        assertThat(Fixture.rows(s.executeQuery("SELECT n, nn, dt, ts, tz, bt, c, r FROM typed WHERE id = 1")))
            .containsExactly("12345678.90|-0.000001|2026-11-29|2026-11-29 21:27:35.123|2026-11-29 21:27:35.123+00|"
                + "\\x00ff10|ab |1.5");
      }
      for (String bad : List.of("INSERT INTO typed (id, v) VALUES (10, 'toolong')",
          "INSERT INTO typed (id, n) VALUES (11, 123456789.0)", "INSERT INTO typed (id, s) VALUES (12, 40000)",
          "INSERT INTO typed (id, dt) VALUES (13, '2026-13-01')", "INSERT INTO typed (id, dt) VALUES (14, 'someday')",
          "INSERT INTO typed (id, i) VALUES (15, 'x')", "INSERT INTO typed (id, c) VALUES (16, 'abcd')")) {
        assertThat(sqlState(folio, bad)).as(bad).isEqualTo(sqlState(reference, bad)).isNotNull();
      }
    }
  }

  private static void insert(Connection c) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("INSERT INTO typed VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        + "?, ?)")) {
      Object[][] rows = {
          {1, (short) -7, 42, 1L << 40, 1.5f, Math.PI, new BigDecimal("12345678.90"), new BigDecimal("-0.000001"),
              "héllo\tworld", "abcde", "ab", new byte[] {0, (byte) 255, 16}, Date.valueOf("2026-11-29"),
              Timestamp.valueOf("2026-11-29 21:27:35.123"), Timestamp.valueOf("2026-11-29 21:27:35.123"), true},
          {2, Short.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE, -0.25f, 1e300, new BigDecimal("-0.05"),
              new BigDecimal("98765432109876543210.0123456789"), "", "", "xyz", new byte[0], Date.valueOf("1999-12-31"),
              Timestamp.valueOf("1970-01-01 00:00:00"), Timestamp.valueOf("2000-01-01 00:00:00"), false},
          {3, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null},
      };
      for (Object[] row : rows) {
        for (int i = 0; i < row.length; i++) {
          Object v = row[i];
          if (v instanceof Date d) {
            p.setDate(i + 1, d);
          } else if (v instanceof Timestamp t) {
            p.setTimestamp(i + 1, t);
          } else if (v instanceof byte[] b) {
            p.setBytes(i + 1, b);
          } else if (v == null) {
            p.setNull(i + 1, java.sql.Types.OTHER);
          } else {
            p.setObject(i + 1, v);
          }
        }
        p.executeUpdate();
      }
    }
  }

  /** Each row as its values through the typed getters and as text. */
  private static List<String> read(Connection c, String query) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement p = c.prepareStatement(query)) {
      if (query.contains("?")) {
        p.setInt(1, 1);
      }
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getInt(1) + "|" + rs.getShort(2) + "|" + rs.getInt(3) + "|" + rs.getLong(4) + "|" + rs.getFloat(5)
              + "|" + rs.getDouble(6) + "|" + rs.getBigDecimal(7) + "|" + rs.getBigDecimal(8) + "|" + rs.getString(9)
              + "|" + rs.getString(10) + "|" + rs.getString(11) + "|" + Arrays.toString(rs.getBytes(12)) + "|"
              + rs.getDate(13) + "|" + rs.getTimestamp(14) + "|" + rs.getTimestamp(15) + "|" + rs.getBoolean(16)
              + "|" + rs.getObject(16));
          StringBuilder text = new StringBuilder();
          for (int i = 1; i <= 16; i++) {
            // pgjdbc's getString of a binary bytea is the array's identity: compare its bytes instead.
            text.append(i == 12 ? Arrays.toString(rs.getBytes(i)) : rs.getString(i)).append('|');
          }
          out.add(text.toString());
        }
      }
    }
    return out;
  }

  private static List<String> types(Connection c) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM typed WHERE id = 1")) {
      ResultSetMetaData m = rs.getMetaData();
      for (int i = 1; i <= m.getColumnCount(); i++) {
        out.add(m.getColumnName(i) + ":" + m.getColumnTypeName(i));
      }
    }
    return out;
  }

  private static String sqlState(Connection c, String sql) {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
      return null;
    } catch (SQLException e) {
      return e.getSQLState();
    }
  }
}
