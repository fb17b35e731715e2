package dev.folio.cli.compute;

import com.fasterxml.jackson.databind.JsonNode;
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

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      JsonNode c = api.post("/v1/computes", ManagementClient.object("branch", branch));
      spec.commandLine().getOut().printf("%s %s on %s%n", c.get("id").asText(), c.get("state").asText(),
          c.path("address").asText("-"));
      return 0;
    }
  }

  @Command(name = "suspend", mixinStandardHelpOptions = true,
      description = "Suspends a compute now (its sessions are closed; the next connection wakes it).")
  static final class Suspend implements Callable<Integer> {
    @Mixin
    ManagementClient api;

    @Parameters(paramLabel = "ID", description = "The compute (c-…).")
    String id;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      JsonNode c = api.post("/v1/computes/" + id + "/suspend", ManagementClient.object("id", id));
      spec.commandLine().getOut().printf("%s %s%n", c.get("id").asText(), c.get("state").asText());
      return 0;
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true,
      description = "Stops a compute and takes it out of the registry.")
  static final class Stop implements Callable<Integer> {
    @Mixin
    ManagementClient api;

    @Parameters(paramLabel = "ID", description = "The compute (c-…).")
    String id;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      JsonNode c = api.post("/v1/computes/" + id + "/stop", ManagementClient.object("id", id));
      spec.commandLine().getOut().printf("%s stopped%n", c.get("id").asText());
      return 0;
    }
  }

  /** Prints rows as columns padded to their widest cell. */
  static void print(PrintWriter out, List<String[]> rows) {
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
