package dev.folio.wal;

import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.schemas.wal.Fork;
import dev.folio.schemas.wal.HeapInsert;
import dev.folio.schemas.wal.WalRecord;
import dev.folio.testsupport.KafkaEndpoint;
import dev.folio.wal.reader.WalMessage;
import dev.folio.wal.reader.WalReader;
import dev.folio.wal.topic.WalTopic;
import dev.folio.wal.topic.WalTopicConfig;
import dev.folio.wal.writer.WalWriter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.awaitility.Awaitility;

/** Helpers of the WAL tests: a topic per test, random changes, and reading the whole log back. */
public final class WalTestLog {
  private WalTestLog() {}

  public static WalTopicConfig topic(KafkaEndpoint kafka) {
    WalTopicConfig config = WalTopicConfig.singleBroker(kafka.topicPrefix());
    try (Admin admin = kafka.admin()) {
      WalTopic.ensure(admin, config);
    }
    return config;
  }

  /** A random heap insert on one of {@code pages} pages of relation 16384. */
  public static WalWriter.Change change(Random random, int pages) {
    byte[] data = new byte[1 + random.nextInt(120)];
    random.nextBytes(data);
    return new WalWriter.Change(new PageKey(1, 16384, Fork.MAIN, random.nextInt(pages)), random.nextInt(1000) + 1,
        new HeapInsert(1, 0, ByteBuffer.wrap(data)));
  }

  /** Reads the whole topic, committed messages only, until the timeline is consistent up to {@code lsn}. */
  public static List<WalMessage> readUntil(KafkaEndpoint kafka, WalTopicConfig topic, TimelineId timeline, long lsn) {
    List<WalMessage> out = new ArrayList<>();
    try (WalReader reader = new WalReader(kafka.bootstrapServers(), Map.of(), topic, Map.of(),
        new SimpleMeterRegistry())) {
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
        out.addAll(reader.poll(Duration.ofMillis(200)));
        return Lsn.compare(reader.consistentLsn(timeline), lsn) >= 0;
      });
      // Whatever else is already there (it must not be: the tests check).
      out.addAll(reader.poll(Duration.ofMillis(300)));
    }
    return out;
  }

  /** The timeline's committed records, read back until it is consistent up to {@code lsn}. */
  public static List<WalRecord> committedRecords(KafkaEndpoint kafka, WalTopicConfig topic, TimelineId timeline,
      long lsn) {
    return records(readUntil(kafka, topic, timeline, lsn), timeline).stream().map(WalMessage.Record::record).toList();
  }

  public static List<WalMessage.Record> records(List<WalMessage> messages, TimelineId timeline) {
    return messages.stream().filter(m -> m instanceof WalMessage.Record).map(m -> (WalMessage.Record) m)
        .filter(r -> TimelineId.fromAvro(r.record().getTimeline()).equals(timeline)).toList();
  }
}
