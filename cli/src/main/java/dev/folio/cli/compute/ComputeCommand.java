package dev.folio.cli.compute;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.folio.compute.fleet.PointInTime;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code folio compute list|start|suspend|stop}: the computes, through the gateway's management API. */
@Command(name = "compute", mixinStandardHelpOptions = true, description = "Lists, starts, suspends and stops computes.",
    subcommands = {ComputeCommand.ListComputes.class, ComputeCommand.Start.class, ComputeCommand.Suspend.class,
        ComputeCommand.Stop.class})
public final class ComputeCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Every compute: what it is and how it is.")
  static final class ListComputes implements Callable<Integer> {
    @Mixin
    ManagementClient api;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"ID", "BRANCH", "ROLE", "STATE", "STARTED", "LAST ACTIVE", "LSN", "LAG", "CACHE",
          "HIT %", "SESSIONS", "SECONDS", "ADDRESS"});
      for (JsonNode c : api.get("/v1/computes").get("computes")) {
        rows.add(new String[] {c.get("id").asText(), c.get("branch").asText(), c.get("role").asText(),
            c.get("state").asText(), c.path("started_at").asText("-"), c.path("last_active").asText("-"),
            c.get("current_lsn").asText(), c.get("replica_lag").asText(),
            (c.get("buffer_cache_bytes").asLong() >> 10) + " KiB",
            String.format("%.1f", 100 * c.get("hit_ratio").asDouble()), c.get("sessions").asText(),
            String.format("%.1f", c.get("compute_seconds").asDouble()), c.path("address").asText("-")});
      }
      print(spec.commandLine().getOut(), rows);
      return 0;
    }
  }

  @Command(name = "start", mixinStandardHelpOptions = true,
      description = "Starts (or wakes) the primary compute of a branch; prints it once it serves.")
  static final class Start implements Callable<Integer> {
    @Mixin
    ManagementClient api;

    @Option(names = "--branch", required = true, description = "The branch.")
    String branch;

    @Option(names = "--role", defaultValue = "primary",
        description = "primary (woken if suspended), replica (a new hot replica) or static (default ${DEFAULT-VALUE}).")
    String role;

    @Option(names = "--at-lsn", description = "A static compute's LSN, e.g. 0/16B3748.")
    String atLsn;

    @Option(names = "--at-time", description = "A static compute reads at the last commit at or before this time: "
        + "'YYYY-MM-DD HH:MM:SS UTC' or ISO-8601 (2026-11-29T10:00:00Z).")
    String atTime;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      ObjectNode request = JsonNodeFactory.instance.objectNode().put("branch", branch).put("role", role);
      if (atLsn != null) {
        request.put("at_lsn", atLsn);
      }
      if (atTime != null) {
        request.put("at_time", PointInTime.parse(atTime).toString());
      }
      JsonNode c = api.post("/v1/computes", request);
      spec.commandLine().getOut().printf("%s %s %s at %s on %s%n", c.get("id").asText(), c.get("role").asText(),
          c.get("state").asText(), c.get("current_lsn").asText(), c.path("address").asText("-"));
      return 0;
    }
  }

  @Command(name = "suspend", mixinStandardHelpOptions = true,
      description = "Suspends a compute now (its sessions are closed; the next connection wakes it).")
  static final class Suspend extends OnOne {
    Suspend() {
      super("suspend");
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true,
      description = "Stops a compute and takes it out of the registry.")
  static final class Stop extends OnOne {
    Stop() {
      super("stop");
    }
  }

  /** An action on one compute: {@code POST /v1/computes/{id}/{action}}; prints its id and state after. */
  abstract static class OnOne implements Callable<Integer> {
    private final String action;

    @Mixin
    ManagementClient api;

    @Parameters(paramLabel = "ID", description = "The compute (c-…).")
    String id;

    @Spec
    CommandSpec spec;

    OnOne(String action) {
      this.action = action;
    }

    @Override
    public Integer call() throws Exception {
      JsonNode c = api.post("/v1/computes/" + id + "/" + action, ManagementClient.object("id", id));
      spec.commandLine().getOut().printf("%s %s%n", c.get("id").asText(),
          action.equals("stop") ? "stopped" : c.get("state").asText());
      return 0;
    }
  }

  /** Prints rows as columns padded to their widest cell. */
  public static void print(PrintWriter out, List<String[]> rows) {
    int[] widths = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        widths[i] = Math.max(widths[i], r[i].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        line.append(i == 0 ? "" : "  ").append(String.format("%-" + widths[i] + "s", r[i]));
      }
      out.println(line.toString().stripTrailing());
    }
    out.flush();
  }
}
