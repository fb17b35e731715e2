package dev.folio.cli.branch;

import dev.folio.cli.compute.ManagementClient;
import dev.folio.compute.fleet.PointInTime;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code folio lsn-at TIME --branch B}: the LSN of the branch's last commit at or before a time. */
@Command(name = "lsn-at", mixinStandardHelpOptions = true,
    description = "The LSN of a branch's last commit at or before a time (a time outside its history says so).")
public final class LsnAtCommand implements Callable<Integer> {
  @Mixin
  ManagementClient api;

  @Parameters(paramLabel = "TIME", description = "'YYYY-MM-DD HH:MM:SS UTC' or ISO-8601.")
  String time;

  @Option(names = "--branch", defaultValue = "main", description = "The branch (default ${DEFAULT-VALUE}).")
  String branch;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    String query = "?branch=" + URLEncoder.encode(branch, StandardCharsets.UTF_8) + "&time="
        + URLEncoder.encode(PointInTime.parse(time).toString(), StandardCharsets.UTF_8);
    spec.commandLine().getOut().println(api.get("/v1/lsn-at" + query).get("lsn").asText());
    return 0;
  }
}
