package dev.folio.cli.branch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.folio.cli.compute.ComputeCommand;
import dev.folio.cli.compute.ManagementClient;
import dev.folio.compute.fleet.PointInTime;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code folio branch create|list|delete|restore}: branches, through the gateway's management API. */
@Command(name = "branch", mixinStandardHelpOptions = true,
    description = "Creates, lists, deletes and restores branches: metadata only, nothing is copied.",
    subcommands = {BranchCommand.Create.class, BranchCommand.ListBranches.class, BranchCommand.Delete.class,
        BranchCommand.Restore.class})
public final class BranchCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "A new branch of a parent, at an LSN, at a time, or at the parent's last flushed LSN.")
  static final class Create implements Callable<Integer> {
    @Mixin
    ManagementClient api;

    @Parameters(paramLabel = "NAME", description = "The new branch.")
    String name;

    @Option(names = "--parent", defaultValue = "main", description = "The branch it starts from (default ${DEFAULT-VALUE}).")
    String parent;

    @Option(names = "--lsn", description = "The branch point, e.g. 0/16B3748.")
    String lsn;

    @Option(names = "--restore-from-time", description = "The branch point is the parent's last commit at or before "
        + "this time: 'YYYY-MM-DD HH:MM:SS UTC' or ISO-8601.")
    String time;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      ObjectNode request = ManagementClient.object("name", name).put("parent", parent);
      if (lsn != null) {
        request.put("lsn", lsn);
      }
      if (time != null) {
        request.put("time", PointInTime.parse(time).toString());
      }
      JsonNode b = api.post("/v1/branches", request);
      spec.commandLine().getOut().printf("branch %s (timeline %s) from %s at %s%n", b.get("name").asText(),
          b.get("timeline").asText(), b.get("parent").asText(), b.get("branch_lsn").asText());
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "The branch tree: branch points, creation times and sizes.")
  static final class ListBranches implements Callable<Integer> {
    @Mixin
    ManagementClient api;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      Map<String, Integer> depth = new HashMap<>();
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"BRANCH", "TIMELINE", "PARENT", "BRANCH LSN", "RETAINED FROM", "CREATED", "LAYER BYTES",
          "WAL BYTES"});
      for (JsonNode b : api.get("/v1/branches").get("branches")) {
        String parent = b.path("parent").isTextual() ? b.get("parent").asText() : null;
        int d = parent == null ? 0 : depth.getOrDefault(parent, 0) + 1;
        depth.put(b.get("name").asText(), d);
        rows.add(new String[] {"  ".repeat(d) + (d > 0 ? "└ " : "") + b.get("name").asText(),
            b.get("timeline").asText(), parent == null ? "-" : parent, b.path("branch_lsn").asText("-"),
            b.path("retained_from_lsn").asText("-"), b.path("created_at").asText("-"), b.path("layer_bytes").asText("-"),
            b.path("archived_wal_bytes").asText("-")});
      }
      ComputeCommand.print(spec.commandLine().getOut(), rows);
      return 0;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Deletes a branch; one with children only with --cascade (which deletes them too).")
  static final class Delete implements Callable<Integer> {
    @Mixin
    ManagementClient api;

    @Parameters(paramLabel = "NAME", description = "The branch.")
    String name;

    @Option(names = "--cascade", description = "Delete the branches that branch from it too.")
    boolean cascade;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      ObjectNode request = ManagementClient.object("name", name).put("cascade", cascade);
      JsonNode done = api.post("/v1/branches/" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "/delete",
          request);
      done.get("deleted").forEach(n -> spec.commandLine().getOut().println("deleted " + n.asText()));
      return 0;
    }
  }

  @Command(name = "restore", mixinStandardHelpOptions = true,
      description = "Rewinds a branch to a time in place; its history until now stays as a backup branch.")
  static final class Restore implements Callable<Integer> {
    @Mixin
    ManagementClient api;

    @Parameters(paramLabel = "NAME", description = "The branch.")
    String name;

    @Option(names = "--to-time", required = true, description = "'YYYY-MM-DD HH:MM:SS UTC' or ISO-8601.")
    String time;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      JsonNode done = api.post("/v1/branches/" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "/restore",
          ManagementClient.object("time", PointInTime.parse(time).toString()));
      spec.commandLine().getOut().printf("branch %s rewound; its history until now is branch %s%n", name,
          done.get("backup").get("name").asText());
      return 0;
    }
  }
}
