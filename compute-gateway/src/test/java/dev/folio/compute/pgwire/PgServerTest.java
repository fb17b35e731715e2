package dev.folio.compute.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.folio.compute.session.SqlEngine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wire protocol with real clients: pgjdbc (SCRAM-SHA-256, the extended protocol, prepared
 * statements, transactions) and psql (trust, the simple protocol). The SQL engine is not built
 * yet: statements other than session commands must fail with 0A000 and leave the session usable.
 */
class PgServerTest {
  /**
   * TLS when configured: a client that requires it gets it (and SCRAM over it); without TLS, the
   * server answers N and such a client refuses to go on.
   */
  @Test
  void tlsWhenConfigured(@TempDir Path dir) throws Exception {
    Path store = dev.folio.compute.Fixture.keyStore(dir);
    Properties props = new Properties();
    props.setProperty("user", "alice");
    props.setProperty("password", "s3cret!");
    props.setProperty("sslmode", "require");
    try (PgServer server = PgServer.start(new PgServer.Config("127.0.0.1", 0, false, Map.of("alice", "s3cret!"),
        new PgServer.Tls(store, "changeit")), () -> SqlEngine.NONE);
        Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port() + "/main", props);
        Statement s = c.createStatement()) {
      assertThat(single(s, "SHOW integer_datetimes")).isEqualTo("on");
    }
    try (PgServer plain = PgServer.start(new PgServer.Config("127.0.0.1", 0, false, Map.of("alice", "s3cret!")),
        () -> SqlEngine.NONE)) {
      assertThatThrownBy(() -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + plain.port() + "/main",
          props)).isInstanceOf(SQLException.class).hasMessageContaining("SSL");
    }
  }

  @Test
  void pgjdbcAuthenticatesWithScramAndRunsSessionCommands() throws Exception {
    try (PgServer server = PgServer.start(new PgServer.Config("127.0.0.1", 0, false, Map.of("alice", "s3cret!")),
        () -> SqlEngine.NONE)) {
      String url = "jdbc:postgresql://127.0.0.1:" + server.port() + "/main";
      Properties wrong = new Properties();
      wrong.setProperty("user", "alice");
      wrong.setProperty("password", "guess");
      assertThatThrownBy(() -> DriverManager.getConnection(url, wrong)).isInstanceOf(SQLException.class)
          .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("28P01");

      Properties props = new Properties();
      props.setProperty("user", "alice");
      props.setProperty("password", "s3cret!");
      props.setProperty("ApplicationName", "folio-test");
      try (Connection c = DriverManager.getConnection(url, props)) {
        assertThat(c.getMetaData().getDatabaseMajorVersion()).isEqualTo(15);
        try (Statement s = c.createStatement()) {
          assertThat(single(s, "SHOW application_name")).isEqualTo("folio-test");
          s.execute("SET TIME ZONE 'Europe/Paris'");
          assertThat(single(s, "show timezone")).isEqualTo("Europe/Paris");
          s.execute("RESET TimeZone");
          assertThat(single(s, "SHOW TimeZone")).isEqualTo("UTC");
          assertThatThrownBy(() -> s.executeQuery("SELECT 1")).isInstanceOf(SQLException.class)
              .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("0A000");
          assertThatThrownBy(() -> s.executeQuery("SHOW no_such_setting")).isInstanceOf(SQLException.class)
              .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("42704");
          assertThat(single(s, "SHOW integer_datetimes")).isEqualTo("on");
        }
        // Prepared statements (named on the server after a few executions); pgjdbc asked for DateStyle ISO.
        try (PreparedStatement p = c.prepareStatement("SHOW DateStyle")) {
          for (int i = 0; i < 8; i++) {
            try (ResultSet rs = p.executeQuery()) {
              assertThat(rs.next()).isTrue();
              assertThat(rs.getString(1)).isEqualTo("ISO");
            }
          }
        }
        // A failed statement fails the transaction block until it ends.
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
          assertThat(single(s, "SHOW server_version")).isEqualTo("15.0 (Folio)");
          assertThatThrownBy(() -> s.executeQuery("SELECT 1")).isInstanceOf(SQLException.class);
          assertThatThrownBy(() -> s.executeQuery("SHOW server_version")).isInstanceOf(SQLException.class)
              .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("25P02");
          c.rollback();
          assertThat(single(s, "SHOW server_version")).isEqualTo("15.0 (Folio)");
          c.commit();
        }
      }
    }
  }

  @Test
  void psqlRunsAScriptedSession() throws Exception {
    Path psql = Path.of("/usr/bin/psql");
    assumeTrue(Files.isExecutable(psql), "psql is not installed");
    try (PgServer server = PgServer.start(new PgServer.Config("127.0.0.1", 0, true, Map.of()), () -> SqlEngine.NONE)) {
      ProcessBuilder pb = new ProcessBuilder(psql.toString(), "-X", "-A", "-t", "-h", "127.0.0.1", "-p",
          String.valueOf(server.port()), "-U", "folio", "-d", "main", "-v", "ON_ERROR_STOP=0",
          "-c", "BEGIN; SET DateStyle = 'German'; SHOW DateStyle; COMMIT",
          "-c", "SHOW DateStyle",
          "-c", "select 42",
          "-c", "SHOW standard_conforming_strings")
          .redirectErrorStream(true);
      pb.environment().put("PGCONNECT_TIMEOUT", "10");
      Process p = pb.start();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      List<String> lines = List.of(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n"));
      assertThat(lines).containsSubsequence("German", "German", "on");
      assertThat(lines).anyMatch(l -> l.contains("ERROR:") && l.contains("no SQL engine yet"));
    }
  }

  private static String single(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }
}
