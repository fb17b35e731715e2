package dev.folio.cli.pageservice;

import dev.folio.pageservice.PageServer;
import dev.folio.pageservice.PageServiceConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code folio page-service --config FILE}: runs the page service until stopped. */
@Command(name = "page-service", mixinStandardHelpOptions = true,
    description = {"Runs the page service (GetPage@LSN over gRPC, health and Prometheus metrics over HTTP)",
        "with the settings of a properties file; see PageServiceConfig for the keys."})
public final class PageServiceCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, description = "The properties file of settings.")
  Path config;

  @Override
  public Integer call() throws Exception {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(config)) {
      p.load(in);
    } catch (IOException e) {
      System.err.println("folio page-service: cannot read " + config + ": " + e.getMessage());
      return 2;
    }
    PageServiceConfig settings;
    try {
      settings = PageServiceConfig.from(p);
    } catch (IllegalArgumentException e) {
      System.err.println("folio page-service: " + e.getMessage());
      return 2;
    }
    try (PageServer server = PageServer.start(settings)) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          server.close();
        } catch (Exception e) {
          System.err.println("folio page-service: " + e.getMessage());
        }
      }));
      System.err.printf("folio page-service: gRPC on port %d, health and metrics on http port %d%n",
          server.grpcPort(), server.httpPort());
      server.awaitTermination();
    }
    return 0;
  }
}
