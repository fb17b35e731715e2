package dev.folio.cli.local;

import static dev.folio.cli.local.OnLocal.connect;
import static dev.folio.cli.local.OnLocal.get;
import static dev.folio.cli.local.OnLocal.ids;
import static dev.folio.cli.local.OnLocal.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Branches on the whole system ({@code folio local} in this JVM: broker, S3Proxy, materializer,
 * page service, gateway): a workload records (time, LSN, rows) as it commits; branches made at
 * each of those LSNs and times show exactly the rows committed by then, queried through the
 * gateway on a compute of each; writes on a child never show on its parent, nor the parent's
 * later writes on the child; the API's errors have their codes; restore rewinds in place and
 * keeps the old history as a backup; delete refuses a branch with children unless cascading.
 */
class BranchTest {
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void branchesShowExactlyWhatWasCommittedByTheirPoint(@TempDir Path home) throws Exception {
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    try (LocalSystem system = LocalSystem.start(home, 0, quiet)) {
      List<OnLocal.Point> points = OnLocal.events(system, 5);
      for (OnLocal.Point p : points) {
        post(system, "/v1/branches", "{\"name\": \"at-lsn-" + p.rows() + "\", \"lsn\": \"" + p.lsn() + "\"}");
        post(system, "/v1/branches", "{\"name\": \"at-time-" + p.rows() + "\", \"time\": \"" + p.time() + "\"}");
      }
      for (OnLocal.Point p : points) {
        assertThat(ids(system, "at-lsn-" + p.rows())).hasSize(p.rows());
        assertThat(ids(system, "at-time-" + p.rows())).hasSize(p.rows());
      }

      // A child's writes stay on the child; the parent's later writes stay on the parent.
      post(system, "/v1/branches", "{\"name\": \"child\"}");
      try (Connection parent = connect(system, "main"); Statement ps = parent.createStatement();
          Connection child = connect(system, "child"); Statement cs = child.createStatement()) {
        cs.execute("INSERT INTO events VALUES (100, 'child only')");
        ps.execute("INSERT INTO events VALUES (200, 'parent only')");
        assertThat(ids(system, "child")).containsExactly(1, 2, 3, 4, 5, 100);
        assertThat(ids(system, "main")).containsExactly(1, 2, 3, 4, 5, 200);
      }
      // A grandchild, from the child.
      post(system, "/v1/branches", "{\"name\": \"grandchild\", \"parent\": \"child\"}");
      assertThat(ids(system, "grandchild")).containsExactly(1, 2, 3, 4, 5, 100);

      assertThat(post(system, "/v1/branches", "{\"name\": \"child\"}").get("code").asText()).isEqualTo("42P04");
      assertThat(post(system, "/v1/branches", "{\"name\": \"x\", \"parent\": \"nope\"}").get("code").asText())
          .isEqualTo("3D000");
      assertThat(post(system, "/v1/branches", "{\"name\": \"x\", \"lsn\": \"FF/0\"}").get("code").asText())
          .isEqualTo("22023");
      assertThat(post(system, "/v1/branches", "{\"name\": \"x\", \"time\": \"2000-01-01T00:00:00Z\"}")
          .get("message").asText()).contains("before the retained history");

      // Restore rewinds main to its third event; the old history is a backup branch.
      JsonNode restored = post(system, "/v1/branches/main/restore", "{\"time\": \"" + points.get(2).time() + "\"}");
      String backup = restored.get("backup").get("name").asText();
      assertThat(ids(system, "main")).containsExactly(1, 2, 3);
      assertThat(ids(system, backup)).containsExactly(1, 2, 3, 4, 5, 200);

      // Delete: not a branch with children, unless cascading.
      assertThat(post(system, "/v1/branches/child/delete", "{}").get("code").asText()).isEqualTo("2BP01");
      assertThat(post(system, "/v1/branches/child/delete", "{\"cascade\": true}").get("deleted"))
          .extracting(JsonNode::asText).containsExactly("child", "grandchild");
      assertThatThrownBy(() -> connect(system, "grandchild")).isInstanceOf(SQLException.class)
          .hasMessageContaining("does not exist");
      assertThat(system.gateway().fleet().computes()).noneMatch(c -> c.branch().equals("child"));
      // Nothing a branch wrote was refused by the materializer (a first change to an inherited page
      // without its base would be: the compute logs the whole page first).
      assertThat(OnLocal.deadLetters(system)).isZero();
      String metrics = http.send(HttpRequest.newBuilder(URI.create(system.api() + "/metrics")).GET().build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(metrics).contains("folio_storage_bytes{branch=\"main\",kind=\"layers\"",
          "folio_storage_bytes{branch=\"main\",kind=\"archived_wal\"");
      List<String> listed = new ArrayList<>();
      for (JsonNode b : get(system, "/v1/branches").get("branches")) {
        listed.add(b.get("name").asText());
        // Nothing was collected (the PITR window is a week): reads reach back to each branch's start.
        assertThat(b.get("retained_from_lsn").asText()).isEqualTo(b.get("branch_lsn").asText());
      }
      assertThat(listed).contains("main", backup, "at-lsn-1").doesNotContain("child", "grandchild");
    }
  }
}
