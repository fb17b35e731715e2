package dev.folio.wal.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.folio.testsupport.KafkaEndpoint;
import dev.folio.testsupport.RealInfra;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

@RealInfra
class WalTopicTest {

  @Test
  void createsBothTopicsWithSafeSettingsAndAcceptsThemAgain(KafkaEndpoint kafka) throws Exception {
    WalTopicConfig config = WalTopicConfig.singleBroker(kafka.topicPrefix());
    try (Admin admin = kafka.admin()) {
      WalTopic.ensure(admin, config);
      WalTopic.ensure(admin, config);
      assertThat(admin.describeTopics(Set.of(config.walTopic())).allTopicNames().get().get(config.walTopic())
          .partitions()).hasSize(4);
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, config.walTopic());
      Config settings = admin.describeConfigs(Set.of(resource)).all().get().get(resource);
      assertThat(settings.get("cleanup.policy").value()).isEqualTo("delete");
      assertThat(settings.get("unclean.leader.election.enable").value()).isEqualTo("false");
      assertThat(settings.get("retention.ms").value()).isEqualTo(Long.toString(7L * 24 * 3600 * 1000));
      assertThat(admin.listTopics().names().get()).contains(config.deadLetterTopic());
    }
  }

  @Test
  void refusesATopicThatBreaksAnInvariant(KafkaEndpoint kafka) {
    WalTopicConfig config = WalTopicConfig.singleBroker(kafka.topicPrefix());
    kafka.createTopic(config.walTopic(), 2, Map.of("cleanup.policy", "compact", "unclean.leader.election.enable", "true"));
    try (Admin admin = kafka.admin()) {
      assertThatThrownBy(() -> WalTopic.ensure(admin, config))
          .isInstanceOf(WalTopicException.class)
          .hasMessageContaining("WAL_TOPIC_INVALID")
          .hasMessageContaining("compaction")
          .hasMessageContaining("it has 2 partitions, Folio is set for 4")
          .hasMessageContaining("unclean.leader.election.enable is true");
    }
  }

  @Test
  void refusesImpossibleSettings() {
    assertThatThrownBy(() -> new WalTopicConfig("bad prefix!", 4, (short) 1, 1, java.time.Duration.ofDays(1)))
        .hasMessageContaining("prefix");
    assertThatThrownBy(() -> new WalTopicConfig("p.", 4, (short) 1, 2, java.time.Duration.ofDays(1)))
        .hasMessageContaining("min.insync.replicas 2");
  }
}
