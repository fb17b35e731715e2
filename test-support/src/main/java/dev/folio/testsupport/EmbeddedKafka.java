package dev.folio.testsupport;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Kafka broker in KRaft mode, in this JVM: one node that is both controller and broker, on
 * free ports chosen at start. Transactions and read_committed work as on any cluster; every
 * replication setting is 1, since there is one node. Built on Kafka's own test kit
 * (kafka-test-common-runtime), which formats the storage and binds the listeners.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private final KafkaClusterTestKit cluster;
  private boolean closed;

  private EmbeddedKafka(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
  }

  /** Starts a broker whose storage lives in a temporary folder, deleted on close. */
  public static EmbeddedKafka start() {
    return start(null);
  }

  /**
   * Starts a broker whose storage lives under {@code baseDirectory} (kept on close), or in a
   * temporary folder when it is null.
   */
  public static EmbeddedKafka start(Path baseDirectory) {
    TestKitNodes.Builder nodes = new TestKitNodes.Builder()
        .setCombined(true)
        .setNumBrokerNodes(1)
        .setNumControllerNodes(1);
    if (baseDirectory != null) {
      nodes.setBaseDirectory(baseDirectory);
      // The storage is formatted for one cluster id: a broker restarted on it must keep it.
      nodes.setClusterId(clusterId(baseDirectory));
    }
    KafkaClusterTestKit cluster = null;
    try {
      cluster = new KafkaClusterTestKit.Builder(nodes.build())
          .setDeleteOnClose(baseDirectory == null)
          .setConfigProp("offsets.topic.replication.factor", "1")
          .setConfigProp("offsets.topic.num.partitions", "4")
          .setConfigProp("transaction.state.log.replication.factor", "1")
          .setConfigProp("transaction.state.log.min.isr", "1")
          .setConfigProp("transaction.state.log.num.partitions", "4")
          .setConfigProp("group.initial.rebalance.delay.ms", "0")
          .setConfigProp("auto.create.topics.enable", "false")
          .build();
      if (baseDirectory == null || !Files.exists(baseDirectory.resolve("combined_0_0").resolve("meta.properties"))) {
        formatQuietly(cluster);
      }
      cluster.startup();
      cluster.waitForReadyBrokers();
      return new EmbeddedKafka(cluster);
    } catch (Exception e) {
      if (cluster != null) {
        try {
          cluster.close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw new IllegalStateException("the embedded Kafka broker did not start: " + e, e);
    }
  }

  /** The cluster id of the storage under {@code baseDirectory}: made once, then read back. */
  private static String clusterId(Path baseDirectory) {
    Path file = baseDirectory.resolve("folio-cluster-id");
    try {
      if (Files.exists(file)) {
        return Files.readString(file).strip();
      }
      Files.createDirectories(baseDirectory);
      String id = Uuid.randomUuid().toString();
      Files.writeString(file, id);
      return id;
    } catch (IOException e) {
      throw new IllegalStateException("cannot keep the Kafka cluster id in " + file + ": " + e, e);
    }
  }

  /**
   * Formats the storage. Kafka's formatter reports on standard output; that would mix with the
   * output of whatever embeds the broker (a benchmark's table, {@code folio local}), so its report
   * goes to standard error.
   */
  private static void formatQuietly(KafkaClusterTestKit cluster) throws Exception {
    synchronized (System.class) {
      PrintStream out = System.out;
      System.setOut(System.err);
      try {
        cluster.format();
      } finally {
        System.setOut(out);
      }
    }
  }

  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  /** Stops the broker; a second call does nothing (the test kit's close is not idempotent). */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      cluster.close();
    } catch (Exception e) {
      throw new IllegalStateException("the embedded Kafka broker did not stop cleanly: " + e, e);
    }
  }
}
