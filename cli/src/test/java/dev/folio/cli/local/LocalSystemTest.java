package dev.folio.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
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
 * stopped and started again on the same folder, the data is there.
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
    try (LocalSystem system = LocalSystem.start(home, 0, quiet);
        Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + system.postgresPort() + "/main",
            "folio", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT body FROM notes ORDER BY id")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("kept");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("also kept");
      assertThat(rs.next()).isFalse();
    }
  }
}
