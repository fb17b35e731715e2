package dev.folio.wal.topic;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the WAL topic and its dead-letter topic, or checks that existing ones keep Folio's
 * invariants, and refuses them with every reason when they do not:
 *
 * <ul>
 *   <li>deletion, never compaction: compaction would keep only the newest version of each page;
 *   <li>exactly the configured number of partitions: the page key chooses the partition, so a
 *       changed count would split a page's history over two partitions and lose its LSN order;
 *   <li>no unclean leader election, and at least the configured replication and
 *       min.insync.replicas: an acknowledged flush must not be lost to a failover.
 * </ul>
 */
public final class WalTopic {
  private static final Logger LOG = LoggerFactory.getLogger(WalTopic.class);

  private WalTopic() {}

  /** Makes sure both topics exist with safe settings. */
  public static void ensure(Admin admin, WalTopicConfig config) {
    ensureOne(admin, config.walTopic(), config.partitions(), config, true);
    ensureOne(admin, config.deadLetterTopic(), 1, config, false);
  }

  private static void ensureOne(Admin admin, String topic, int partitions, WalTopicConfig config, boolean strict) {
    Map<String, String> settings = Map.of(
        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
        TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, "false",
        TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(config.minInsyncReplicas()),
        TopicConfig.RETENTION_MS_CONFIG, Long.toString(config.retention().toMillis()));
    try {
      admin.createTopics(List.of(new NewTopic(topic, partitions, config.replicationFactor()).configs(settings)))
          .all().get();
      LOG.info("Created topic {} with {} partitions", topic, partitions);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new WalTopicException("cannot create topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
      }
      if (strict) {
        validate(admin, topic, config);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WalTopicException("interrupted while creating topic " + topic, e);
    }
  }

  /** Refuses an existing WAL topic whose settings break an invariant, naming every problem. */
  static void validate(Admin admin, String topic, WalTopicConfig config) {
    TopicDescription description;
    Config settings;
    try {
      description = admin.describeTopics(Set.of(topic)).allTopicNames().get().get(topic);
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      settings = admin.describeConfigs(Set.of(resource)).all().get().get(resource);
    } catch (ExecutionException e) {
      throw new WalTopicException("cannot inspect topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WalTopicException("interrupted while inspecting topic " + topic, e);
    }
    List<String> problems = new ArrayList<>();
    String cleanup = value(settings, TopicConfig.CLEANUP_POLICY_CONFIG);
    if (cleanup.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
      problems.add("cleanup.policy is \"" + cleanup + "\": compaction would drop all but the newest version of each page");
    }
    int partitions = description.partitions().size();
    if (partitions != config.partitions()) {
      problems.add("it has " + partitions + " partitions, Folio is set for " + config.partitions()
          + ": the page key chooses the partition, so another count splits pages' histories");
    }
    int replicas = description.partitions().get(0).replicas().size();
    if (replicas < config.replicationFactor()) {
      problems.add("replication factor " + replicas + " is below the configured " + config.replicationFactor());
    }
    if (Boolean.parseBoolean(value(settings, TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG))) {
      problems.add("unclean.leader.election.enable is true: a failover could lose acknowledged flushes");
    }
    int minIsr = Integer.parseInt(value(settings, TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG));
    if (minIsr < config.minInsyncReplicas()) {
      problems.add("min.insync.replicas is " + minIsr + ", below the configured " + config.minInsyncReplicas());
    }
    if (!problems.isEmpty()) {
      throw new WalTopicException("refusing the existing WAL topic " + topic + ": " + String.join("; ", problems));
    }
  }

  private static String value(Config settings, String name) {
    ConfigEntry entry = settings.get(name);
    return entry == null || entry.value() == null ? "" : entry.value();
  }
}
