package dev.folio.compute;

import dev.folio.compute.pgwire.PgServer;
import dev.folio.format.TimelineId;
import dev.folio.wal.topic.WalTopicConfig;
import dev.folio.wal.writer.WalWriterConfig;
import java.util.Map;

/**
 * A compute node in a JVM of its own, for tests that kill it: arguments are the Kafka bootstrap
 * servers, the WAL topic prefix, the page service port, the timeline and the token. It prints
 * {@code READY <port>} once it serves, then runs until killed.
 */
public final class ComputeMain {
  private ComputeMain() {}

  public static void main(String[] args) throws Exception {
    ComputeNode node = ComputeNode.start(new ComputeNode.Config(
        WalWriterConfig.of(args[0], WalTopicConfig.singleBroker(args[1])), "127.0.0.1", Integer.parseInt(args[2]),
        Fixture.TENANT, TimelineId.parse(args[3]), args[4], 64 * 8192L, new PgServer.Config("127.0.0.1", 0, true, Map.of())));
    System.out.println("READY " + node.port());
    System.out.flush();
    Thread.currentThread().join();
  }
}
