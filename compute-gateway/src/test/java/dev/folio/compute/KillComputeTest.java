package dev.folio.compute;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.testsupport.KafkaEndpoint;
import dev.folio.testsupport.RealInfra;
import dev.folio.testsupport.S3Endpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compute killed with SIGKILL in the middle of a workload: a new compute on the timeline has every
 * commit the dead one acknowledged, and nothing it had not committed.
 */
@RealInfra
class KillComputeTest {
  @Test
  void everyAcknowledgedCommitSurvivesKillNine(KafkaEndpoint kafka, S3Endpoint s3, @TempDir Path dir)
      throws Exception {
    try (Fixture f = Fixture.start(kafka, s3)) {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Path output = dir.resolve("compute.out");
      Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
          ComputeMain.class.getName(), kafka.bootstrapServers(), f.topic().prefix(),
          String.valueOf(f.pageServer().grpcPort()), f.timeline().toString(), f.token())
          .redirectErrorStream(true).redirectOutput(output.toFile()).start();
      Set<Integer> acknowledged = new HashSet<>();
      try {
        String ready = Awaitility.await().atMost(Duration.ofMinutes(2)).until(
            () -> Files.readAllLines(output).stream().filter(l -> l.startsWith("READY ")).findFirst(),
            Optional::isPresent).orElseThrow();
        String url = "jdbc:postgresql://127.0.0.1:" + ready.substring("READY ".length()) + "/main?user=app";
        try (Connection c = DriverManager.getConnection(url)) {
          try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE events (id int PRIMARY KEY, note text)");
          }
          try (PreparedStatement insert = c.prepareStatement("INSERT INTO events VALUES (?, ?)")) {
            for (int id = 1; id <= 40; id++) {
              insert.setInt(1, id);
              insert.setString(2, "committed " + id);
              insert.executeUpdate();
              acknowledged.add(id);
            }
          }
        }
        // A transaction left open when the compute dies: none of it may survive.
        try (Connection open = DriverManager.getConnection(url)) {
          open.setAutoCommit(false);
          try (Statement s = open.createStatement()) {
            s.execute("INSERT INTO events VALUES (1000, 'never committed'), (1001, 'never committed')");
          }
          child.destroyForcibly();
          assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } catch (SQLException expectedOnClose) {
          // the server went away under the open transaction
        }
      } finally {
        child.destroyForcibly();
      }

      try (ComputeNode compute = f.compute(16 * 8192L);
          Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + compute.port() + "/main", "app",
              "");
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT id FROM events")) {
        List<String> ids = Fixture.rows(rs);
        Set<Integer> found = new HashSet<>();
        ids.forEach(id -> found.add(Integer.parseInt(id)));
        assertThat(found).isEqualTo(acknowledged);
      }
    }
  }
}
