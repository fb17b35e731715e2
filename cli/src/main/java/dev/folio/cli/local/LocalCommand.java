package dev.folio.cli.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code folio local}: the whole system on this machine, until Ctrl-C. */
@Command(name = "local", mixinStandardHelpOptions = true,
    description = {"Runs all of Folio on this machine on embedded defaults: Kafka, S3 (S3Proxy), the materializer",
        "on a Flink MiniCluster, the page service, and the gateway, which starts a compute for each branch",
        "a client connects to and suspends it when idle. Data lives under .folio/ and survives a restart.",
        "Ctrl-C stops everything."})
public final class LocalCommand implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "55432", description = "PostgreSQL port of the gateway (default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--read-only-port", defaultValue = "55433",
      description = "The read-only address: sessions spread over hot replicas (default ${DEFAULT-VALUE}).")
  int readOnlyPort;

  @Option(names = "--sessions-per-replica", defaultValue = "16",
      description = "Read-only sessions a hot replica takes before the gateway starts another (default ${DEFAULT-VALUE}).")
  int sessionsPerReplica;

  @Option(names = "--http-port", defaultValue = "55480",
      description = "Port of the management API, health and metrics (default ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(names = "--suspend-after", defaultValue = "PT5M",
      description = "How long a compute with no session stays up, as an ISO-8601 duration (default ${DEFAULT-VALUE}).")
  Duration suspendAfter;

  @Option(names = "--isolation", defaultValue = "in-process",
      description = "Where computes run: in-process (in this JVM; the gateway hands them their connections) or "
          + "process (a JVM each; the gateway relays). Default ${DEFAULT-VALUE}.")
  String isolation;

  @Option(names = "--write-forwarding", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Writes sent to a hot replica go to the primary; --no-write-forwarding refuses them (25006).")
  boolean writeForwarding;

  @Option(names = "--pitr-window", defaultValue = "P7D",
      description = "How far back reads, branches and restores stay possible; older layers no branch needs are "
          + "deleted (the WAL archive is kept), as an ISO-8601 duration (default ${DEFAULT-VALUE}).")
  Duration pitrWindow;

  @Option(names = "--data", description = "Where the data lives (default: .folio/ in the Folio folder).")
  Path data;

  @Override
  public Integer call() throws Exception {
    Path home = data != null ? data : Path.of(System.getProperty("folio.home", ".")).resolve(".folio");
    if (!isolation.equals("in-process") && !isolation.equals("process")) {
      throw new IllegalArgumentException("--isolation is in-process or process, not " + isolation);
    }
    if (pitrWindow.isNegative() || pitrWindow.isZero()) {
      throw new IllegalArgumentException("--pitr-window must be positive, not " + pitrWindow);
    }
    LocalSystem system = LocalSystem.start(home, new LocalSystem.Options(port, readOnlyPort, httpPort, suspendAfter, sessionsPerReplica,
        isolation.equals("process"), writeForwarding, pitrWindow), System.err);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.err.println("folio local: stopping...");
      try {
        system.close();
      } catch (Exception e) {
        System.err.println("folio local: " + e);
      }
      stopped.countDown();
    }));
    System.out.printf("Folio is running (branch main on timeline %s, compute %s).%n", system.timeline(),
        system.computeId());
    System.out.printf("  psql postgresql://folio@127.0.0.1:%d/main%n", system.postgresPort());
    System.out.printf("  psql postgresql://folio@127.0.0.1:%d/main   (read-only, on hot replicas)%n",
        system.readOnlyPort());
    System.out.printf("  ./folio compute list      (management API on %s)%n", system.api());
    System.out.println("Ctrl-C stops it; the data stays under " + home + ".");
    stopped.await();
    return 0;
  }
}
