package dev.folio.cli.branch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.folio.cli.compute.ManagementClient;
import dev.folio.compute.fleet.PointInTime;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code folio replay --branch B --to-time T --into NEW [--verify] [--flink HOST:PORT]}: rebuilds a
 * branch's pages as of a point from the WAL alone (archive, then Kafka) into a new branch, through
 * the management API, showing progress until it ends.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Rebuilds a branch's pages as of an LSN or a time from the WAL archive and Kafka into a new branch",
        "(without --to-lsn or --to-time: as of the branch's last flush), showing progress."})
public final class ReplayCommand implements Callable<Integer> {
  @Mixin
  ManagementClient api;

  @Option(names = "--branch", defaultValue = "main", description = "The branch to replay (default ${DEFAULT-VALUE}).")
  String branch;

  @ArgGroup(exclusive = true)
  Point point;

  static final class Point {
    @Option(names = "--to-lsn", description = "Up to and including this LSN, e.g. 0/16B3748.")
    String lsn;

    @Option(names = "--to-time", description = "Up to the last commit at or before this time: "
        + "'YYYY-MM-DD HH:MM:SS UTC' or ISO-8601.")
    String time;
  }

  @Option(names = "--into", required = true, description = "The new branch the replay becomes.")
  String into;

  @Option(names = "--verify", description = "Then compare every page with the branch's own at that point and "
      + "report each difference.")
  boolean verify;

  @Option(names = "--flink", description = "Run the job on the Flink cluster whose REST endpoint is HOST:PORT "
      + "(default: a MiniCluster in the gateway's process).")
  String flink;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ObjectNode request = ManagementClient.object("branch", branch).put("into", into).put("verify", verify);
    if (point != null && point.lsn != null) {
      request.put("to_lsn", point.lsn);
    }
    if (point != null && point.time != null) {
      request.put("to_time", PointInTime.parse(point.time).toString());
    }
    if (flink != null) {
      request.put("flink", flink);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    JsonNode replay = api.post("/v1/replays", request);
    String id = replay.get("id").asText();
    out.println("replay " + id + ": branch " + branch + " up to " + replay.get("target_lsn").asText() + " into "
        + into);
    String shown = "";
    while (!replay.get("state").asText().equals("succeeded") && !replay.get("state").asText().equals("failed")) {
      String line = progress(replay);
      if (!line.equals(shown)) {
        err.print("\r" + line);
        err.flush();
        shown = line;
      }
      Thread.sleep(250);
      replay = api.get("/v1/replays/" + id);
    }
    err.println("\r" + progress(replay));
    if (replay.get("state").asText().equals("failed")) {
      err.println("replay failed: " + replay.path("error_code").asText() + ": " + replay.path("error").asText());
      return 1;
    }
    out.println("branch " + into + " rebuilt: " + replay.get("pages").asLong() + " pages at "
        + replay.get("target_lsn").asText() + " from " + replay.get("events_read").asLong() + " WAL events"
        + (replay.get("records_refused").asLong() > 0
            ? " (" + replay.get("records_refused").asLong() + " records refused by redo, as the materializer does)"
            : ""));
    if (verify) {
      JsonNode differences = replay.get("differences");
      out.println("verify: " + replay.get("verified").asLong() + " pages compared with branch " + branch + ", "
          + differences.size() + " differences");
      differences.forEach(d -> out.println("  " + d.asText()));
      return differences.isEmpty() ? 0 : 1;
    }
    return 0;
  }

  /** {@code [#########           ] 45%  1234/2740 WAL events  running}. */
  private static String progress(JsonNode replay) {
    long read = replay.get("events_read").asLong();
    long total = Math.max(1, replay.get("events_total").asLong());
    int percent = (int) Math.min(100, read * 100 / total);
    if (replay.get("state").asText().equals("succeeded") || replay.get("state").asText().equals("naming")
        || replay.get("state").asText().equals("verifying")) {
      percent = 100;
    }
    String bar = "#".repeat(percent / 5) + " ".repeat(20 - percent / 5);
    return String.format("[%s] %3d%%  %d/%d WAL events  %-10s", bar, percent, read, replay.get("events_total").asLong(),
        replay.get("state").asText());
  }
}
