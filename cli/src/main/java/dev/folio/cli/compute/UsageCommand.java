package dev.folio.cli.compute;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code folio usage}: compute seconds by compute and branch, storage bytes by timeline. */
@Command(name = "usage", mixinStandardHelpOptions = true,
    description = "Compute seconds (running time) and active seconds (sessions open) by compute and branch, and "
        + "storage (layers, archived WAL) by branch.")
public final class UsageCommand implements Callable<Integer> {
  @Mixin
  ManagementClient api;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    JsonNode usage = api.get("/v1/usage");
    List<String[]> computes = new ArrayList<>();
    computes.add(new String[] {"COMPUTE", "BRANCH", "COMPUTE SECONDS", "ACTIVE SECONDS"});
    for (JsonNode c : usage.get("computes")) {
      computes.add(new String[] {c.get("id").asText(), c.get("branch").asText(),
          String.format("%.1f", c.get("compute_seconds").asDouble()),
          String.format("%.1f", c.get("active_seconds").asDouble())});
    }
    JsonNode active = usage.get("active_seconds_by_branch");
    for (Map.Entry<String, JsonNode> b : usage.get("compute_seconds_by_branch").properties()) {
      computes.add(new String[] {"(all)", b.getKey(), String.format("%.1f", b.getValue().asDouble()),
          String.format("%.1f", active.path(b.getKey()).asDouble())});
    }
    ComputeCommand.print(spec.commandLine().getOut(), computes);
    spec.commandLine().getOut().println();
    List<String[]> storage = new ArrayList<>();
    storage.add(new String[] {"BRANCH", "TIMELINE", "LAYER BYTES", "ARCHIVED WAL BYTES"});
    for (JsonNode s : usage.get("storage")) {
      storage.add(new String[] {s.get("branch").asText(), s.get("timeline").asText(), s.get("layer_bytes").asText(),
          s.get("archived_wal_bytes").asText()});
    }
    ComputeCommand.print(spec.commandLine().getOut(), storage);
    return 0;
  }
}
