package dev.folio.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.cli.Folio;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.io.OutputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code folio local} end to end, in this JVM: SQL through pgjdbc on the compute of branch main;
 * stopped and started again on the same folder, the data is there; {@code folio compute},
 * {@code branch} and {@code usage} work against its management API.
 */
class LocalSystemTest {
  @Test
  void dataSurvivesARestart(@TempDir Path home) throws Exception {
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    try (LocalSystem system = LocalSystem.start(home, 0, quiet);
        Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + system.postgresPort() + "/main",
            "folio", "");
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE notes (id int PRIMARY KEY, body text)");
      s.execute("INSERT INTO notes VALUES (1, 'kept'), (2, 'also kept')");
    }
    try (LocalSystem system = LocalSystem.start(home, 0, quiet)) {
      try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + system.postgresPort()
          + "/main", "folio", ""); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT body FROM notes ORDER BY id")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("kept");
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("also kept");
        assertThat(rs.next()).isFalse();
      }

      // The command line, as an operator uses it against this system's management API.
      String[] api = {"--api", system.api(), "--token", system.adminToken()};
      assertThat(folio("compute", "list", api[0], api[1], api[2], api[3]))
          .contains(system.computeId()).contains("main").contains("primary");
      assertThat(folio("branch", "create", "dev", api[0], api[1], api[2], api[3])).startsWith("branch dev ");
      assertThat(folio("branch", "list", api[0], api[1], api[2], api[3])).contains("main").contains("└ dev");
      assertThat(folio("usage", api[0], api[1], api[2], api[3])).contains(system.computeId()).contains("LAYER BYTES");
      assertThat(folio("compute", "suspend", system.computeId(), api[0], api[1], api[2], api[3]))
          .isEqualTo(system.computeId() + " suspended\n");
      assertThat(Folio.run("compute", "list", "--api", system.api(), "--token", "not-the-admin-token")).isEqualTo(1);
    }
  }

  /** Runs the folio command line in this JVM; its standard output, once it exited 0. */
  private static String folio(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = System.out;
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      assertThat(Folio.run(args)).as(String.join(" ", args)).isZero();
    } finally {
      System.setOut(out);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
