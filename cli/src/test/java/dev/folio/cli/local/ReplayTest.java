package dev.folio.cli.local;

import static dev.folio.cli.local.OnLocal.connect;
import static dev.folio.cli.local.OnLocal.get;
import static dev.folio.cli.local.OnLocal.ids;
import static dev.folio.cli.local.OnLocal.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.folio.cli.Folio;
import dev.folio.compute.storage.PageServiceClient;
import dev.folio.format.Lsn;
import dev.folio.format.TimelineId;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code folio replay} on the whole system ({@code folio local} in this JVM): after Kafka has
 * dropped the records the archive holds (as retention would), replays of main at an LSN and at its
 * end, and of a branch of main, become branches that show exactly the rows committed by their
 * point, with {@code --verify} finding every page identical to the source branch's; a replayed
 * branch takes writes of its own; bad requests get their codes; after a restart, a time only the
 * archive still knows is found there.
 */
class ReplayTest {

  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void replaysRebuildBranchesFromTheArchiveAndKafka(@TempDir Path home) throws Exception {
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    List<OnLocal.Point> points;
    try (LocalSystem system = LocalSystem.start(home, 0, quiet)) {
      points = OnLocal.events(system, 5);
      List<String> lsns = points.stream().map(OnLocal.Point::lsn).toList();
      post(system, "/v1/branches", "{\"name\": \"child\", \"lsn\": \"" + lsns.get(2) + "\"}");
      try (Connection c = connect(system, "child"); Statement s = c.createStatement()) {
        s.execute("INSERT INTO events VALUES (100, 'child only')");
      }
      // Everything so far folded into layers and archived; then Kafka drops it.
      long end = Lsn.parse(lsns.get(4)).value();
      try (PageServiceClient main = system.pageService(system.timeline())) {
        Awaitility.await().atMost(Duration.ofMinutes(2))
            .until(() -> Lsn.compare(main.state().materializedLsn(), end) >= 0);
      }
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", system.bootstrapServers()))) {
        String topic = system.topic().walTopic();
        Map<TopicPartition, RecordsToDelete> drop = new HashMap<>();
        for (var o : system.newestIndex(system.timeline()).kafkaOffsets()) {
          drop.put(new TopicPartition(topic, o.partition()), RecordsToDelete.beforeOffset(o.offset()));
        }
        admin.deleteRecords(drop).all().get();
      }
      try (Connection c = connect(system, "main"); Statement s = c.createStatement()) {
        s.execute("INSERT INTO events VALUES (6, 'event 6'), (7, 'event 7')");
      }

      // At an LSN in the archived history.
      StringWriter out = new StringWriter();
      assertThat(cli(system, out, "replay", "--branch", "main", "--to-lsn", lsns.get(3), "--into", "r4", "--verify"))
          .as(out.toString()).isZero();
      assertThat(out.toString()).contains("branch r4 rebuilt", ", 0 differences");
      assertThat(ids(system, "r4")).containsExactly(1, 2, 3, 4);

      // The verifier finds differences where there are some: r4 against main one commit later.
      TimelineId r4 = null;
      for (JsonNode b : get(system, "/v1/branches").get("branches")) {
        if (b.get("name").asText().equals("r4")) {
          r4 = TimelineId.parse(b.get("timeline").asText());
        }
      }
      try (PageServiceClient main = system.pageService(system.timeline());
          PageServiceClient replayed = system.pageService(r4)) {
        ReplayVerifier.Report report = ReplayVerifier.compare(system.store(), system.layout(), main,
            system.timeline(), replayed, r4, Lsn.parse(lsns.get(4)).value());
        assertThat(report.differences()).isNotEmpty().anyMatch(d -> d.contains("differs from byte"));
      }

      // At a time: the last commit at or before it.
      out = new StringWriter();
      assertThat(cli(system, out, "replay", "--branch", "main", "--to-time", points.get(1).time().toString(),
          "--into", "t2")).as(out.toString()).isZero();
      assertThat(ids(system, "t2")).containsExactly(1, 2);

      // At the end of the log: the archive, then Kafka.
      out = new StringWriter();
      assertThat(cli(system, out, "replay", "--branch", "main", "--into", "now", "--verify")).as(out.toString()).isZero();
      assertThat(out.toString()).contains(", 0 differences");
      assertThat(ids(system, "now")).containsExactly(1, 2, 3, 4, 5, 6, 7);

      // A branch: its parent's records up to the branch point, then its own.
      out = new StringWriter();
      assertThat(cli(system, out, "replay", "--branch", "child", "--into", "rchild", "--verify")).as(out.toString()).isZero();
      assertThat(out.toString()).contains(", 0 differences");
      assertThat(ids(system, "rchild")).containsExactly(1, 2, 3, 100);

      // A replayed branch is a branch: it takes writes, which stay on it.
      try (Connection c = connect(system, "now"); Statement s = c.createStatement()) {
        s.execute("INSERT INTO events VALUES (8, 'on the replay')");
        s.execute("UPDATE events SET note = 'changed' WHERE id = 1");
      }
      assertThat(ids(system, "now")).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
      assertThat(ids(system, "main")).containsExactly(1, 2, 3, 4, 5, 6, 7);
      JsonNode branches = get(system, "/v1/branches").get("branches");
      assertThat(branches.findValuesAsText("name")).contains("r4", "now", "rchild");

      // Bad requests: their codes, and nothing started.
      assertThat(post(system, "/v1/replays", "{\"branch\": \"main\", \"into\": \"now\"}").get("code").asText())
          .isEqualTo("42P04");
      assertThat(post(system, "/v1/replays", "{\"branch\": \"nope\", \"into\": \"x\"}").get("code").asText())
          .isEqualTo("3D000");
      assertThat(post(system, "/v1/replays", "{\"branch\": \"main\", \"into\": \"x\", \"to_lsn\": \"FF/0\"}")
          .get("code").asText()).isEqualTo("22023");
      assertThat(post(system, "/v1/replays", "{\"branch\": \"main\"}").get("code").asText()).isEqualTo("22023");
      assertThat(post(system, "/v1/replays", "{\"branch\": \"main\", \"into\": \"x\", \"to_lsn\": \""
          + lsns.get(1) + "\", \"to_time\": \"" + points.get(1).time() + "\"}").get("code").asText()).isEqualTo("22023");
      assertThat(post(system, "/v1/replays", "{\"branch\": \"main\", \"into\": \"x\", \"to_lsn\": \"nope\"}")
          .get("code").asText()).isEqualTo("22023");
      assertThat(get(system, "/v1/replays/replay-99").get("code").asText()).isEqualTo("42704");
      assertThat(get(system, "/v1/replays").get("replays")).hasSize(4);
      // A replay of a replay has no log below its start: refused with its reason.
      out = new StringWriter();
      assertThat(cli(system, out, "replay", "--branch", "now", "--into", "again")).isEqualTo(1);

      assertThat(OnLocal.deadLetters(system)).isZero();
    }

    // Started again, the page service's tail begins where Kafka now does: the first commits' times
    // are in the WAL archive only; lsn-at and a replay to one of them find it there.
    try (LocalSystem again = LocalSystem.start(home, 0, quiet)) {
      String early = points.get(1).time().toString();
      try (PageServiceClient tail = again.pageService(again.timeline())) {
        assertThatThrownBy(() -> tail.lsnAt(points.get(1).time()))
            .isInstanceOf(PageServiceClient.BeforeHistory.class);
      }
      long archived = Lsn.parse(get(again, "/v1/lsn-at?branch=main&time=" + early).get("lsn").asText()).value();
      assertThat(Lsn.compare(archived, Lsn.parse(points.get(0).lsn()).value())).isPositive();
      assertThat(Lsn.compare(archived, Lsn.parse(points.get(1).lsn()).value())).isNotPositive();
      StringWriter out = new StringWriter();
      assertThat(cli(again, out, "replay", "--branch", "main", "--to-time", early, "--into", "early"))
          .as(out.toString()).isZero();
      assertThat(ids(again, "early")).containsExactly(1, 2);
    }
  }

  /** Runs a {@code folio} command against the system's management API. */
  private static int cli(LocalSystem system, StringWriter out, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--api", system.api(), "--token", system.adminToken()));
    return Folio.run(new PrintWriter(out, true), all.toArray(String[]::new));
  }
}
