package dev.folio.wal.reader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.wal.WalCodec;
import dev.folio.format.wal.WalRecords;
import dev.folio.schemas.wal.Fork;
import dev.folio.schemas.wal.HeapInsert;
import dev.folio.schemas.wal.WalRecord;
import dev.folio.testsupport.KafkaEndpoint;
import dev.folio.testsupport.RealInfra;
import dev.folio.wal.WalTestLog;
import dev.folio.wal.topic.WalTopicConfig;
import dev.folio.wal.writer.WalWriter;
import dev.folio.wal.writer.WalWriterConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

@RealInfra
class WalReaderTest {

  @Test
  void garbageGoesToTheDeadLetterTopicWithItsReasonAndTheReaderGoesOn(KafkaEndpoint kafka) throws Exception {
    WalTopicConfig topic = WalTestLog.topic(kafka);
    TimelineId timeline = TimelineId.generate();
    WalWriterConfig config = WalWriterConfig.of(kafka.bootstrapServers(), topic);
    Random random = new Random(5);
    List<WalRecord> good = new ArrayList<>();
    try (WalWriter writer = WalWriter.open(config, timeline, 0, new SimpleMeterRegistry())) {
      good.add(writer.appendAll(List.of(WalTestLog.change(random, 3))).get(0));
      writer.flush().join();
    }

    PageKey key = new PageKey(1, 16384, Fork.MAIN, 1);
    WalRecord valid = WalRecords.of(timeline, 99, 1, key, new HeapInsert(1, 0, ByteBuffer.wrap(new byte[] {1})));
    byte[] unknownSchema = WalCodec.get().encode(valid);
    unknownSchema[4] ^= 0x10;
    Map<String, RecordMetadata> sent = new HashMap<>();
    try (KafkaProducer<byte[], byte[]> rogue = new KafkaProducer<>(kafka.producerProperties())) {
      sent.put("WAL_NOT_SINGLE_OBJECT", rogue.send(new ProducerRecord<>(topic.walTopic(), 0, key.encode(),
          "not a WAL record".getBytes(StandardCharsets.UTF_8))).get());
      sent.put("WAL_UNKNOWN_SCHEMA", rogue.send(new ProducerRecord<>(topic.walTopic(), 1, key.encode(), unknownSchema))
          .get());
      sent.put(WalMessageDecoder.KEY_MISMATCH, rogue.send(new ProducerRecord<>(topic.walTopic(), 2,
          new PageKey(9, 9, Fork.MAIN, 9).encode(), WalCodec.get().encode(valid))).get());
    }
    try (WalWriter writer = WalWriter.open(config, timeline, 0, new SimpleMeterRegistry())) {
      good.add(writer.appendAll(List.of(WalTestLog.change(random, 3))).get(0));
      long end = writer.flush().join();
      assertThat(WalTestLog.committedRecords(kafka, topic, timeline, end)).containsExactlyElementsOf(good);
    }

    Map<String, Map<String, String>> letters = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> dlq = new KafkaConsumer<>(kafka.consumerProperties("dlq-check"))) {
      dlq.subscribe(List.of(topic.deadLetterTopic()));
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
        for (ConsumerRecord<byte[], byte[]> r : dlq.poll(Duration.ofMillis(200))) {
          Map<String, String> headers = new HashMap<>();
          for (Header h : r.headers()) {
            headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
          }
          letters.put(headers.get(DeadLetters.REASON), headers);
        }
        return letters.size() >= 3;
      });
    }
    assertThat(letters).containsOnlyKeys(sent.keySet());
    sent.forEach((reason, where) -> {
      Map<String, String> h = letters.get(reason);
      assertThat(h.get(DeadLetters.TOPIC)).isEqualTo(topic.walTopic());
      assertThat(h.get(DeadLetters.PARTITION)).isEqualTo(Integer.toString(where.partition()));
      assertThat(h.get(DeadLetters.OFFSET)).isEqualTo(Long.toString(where.offset()));
      assertThat(h.get(DeadLetters.MESSAGE)).isNotBlank();
    });
  }

  /**
   * Randomized interleavings on the real broker: writers of three timelines flush at random; one
   * is fenced by a new writer while it holds records it was never asked to flush; a reader taking
   * a few records per poll reads concurrently.
   * Every consistent LSN it reported is checked, at the end, against what it had read by then.
   */
  @Test
  void theConsistentLsnIsNeverAheadOfWhatWasRead(KafkaEndpoint kafka) throws Exception {
    WalTopicConfig topic = WalTestLog.topic(kafka);
    WalWriterConfig config = WalWriterConfig.of(kafka.bootstrapServers(), topic);
    List<TimelineId> timelines = List.of(TimelineId.generate(), TimelineId.generate(), TimelineId.generate());
    Random random = new Random(6);

    record Step(Map<TimelineId, Long> consistent, Map<TimelineId, List<Long>> readSoFar) {}
    List<Step> steps = new ArrayList<>();
    Map<TimelineId, List<Long>> read = new HashMap<>();
    Map<TimelineId, Long> lastFlush = new HashMap<>();
    Thread readerThread;
    AtomicBoolean done = new AtomicBoolean();
    try (WalReader reader = new WalReader(kafka.bootstrapServers(), Map.of("max.poll.records", "3"), topic, Map.of(),
        new SimpleMeterRegistry())) {
      readerThread = new Thread(() -> {
        while (!done.get() || timelines.stream().anyMatch(t ->
            reader.consistentLsn(t) < lastFlushOf(lastFlush, t))) {
          for (WalMessage m : reader.poll(Duration.ofMillis(50))) {
            if (m instanceof WalMessage.Record r) {
              read.computeIfAbsent(WalRecords.timeline(r.record()), t -> new ArrayList<>()).add(r.record().getLsn());
            }
          }
          Map<TimelineId, Long> consistent = new HashMap<>();
          Map<TimelineId, List<Long>> snapshot = new HashMap<>();
          for (TimelineId t : timelines) {
            consistent.put(t, reader.consistentLsn(t));
            snapshot.put(t, List.copyOf(read.getOrDefault(t, List.of())));
          }
          steps.add(new Step(consistent, snapshot));
        }
      });
      readerThread.start();

      Map<TimelineId, List<Long>> committed = new HashMap<>();
      Map<TimelineId, WalWriter> writers = new HashMap<>();
      for (TimelineId t : timelines) {
        writers.put(t, WalWriter.open(config, t, 0, new SimpleMeterRegistry()));
      }
      boolean killed = false;
      for (int round = 0; round < 60; round++) {
        TimelineId t = timelines.get(random.nextInt(3));
        WalWriter w = writers.get(t);
        List<WalRecord> batch = new ArrayList<>();
        for (int i = random.nextInt(8); i >= 0; i--) {
          batch.addAll(w.appendAll(List.of(WalTestLog.change(random, 40))));
        }
        if (!killed && round > 30 && t.equals(timelines.get(0))) {
          killed = true;
          writers.put(t, WalWriter.open(config, t, 0, new SimpleMeterRegistry()));
          w.close();
          // The fenced writer's records count only if it had flushed them on its own in time.
          long flushedOnItsOwn = w.durableLsn();
          batch.stream().filter(r -> r.getLsn() <= flushedOnItsOwn)
              .forEach(r -> committed.computeIfAbsent(t, k -> new ArrayList<>()).add(r.getLsn()));
          synchronized (lastFlush) {
            lastFlush.put(t, Math.max(lastFlush.getOrDefault(t, 0L), flushedOnItsOwn));
          }
          continue;
        }
        long flushed = w.flush().join();
        batch.forEach(r -> committed.computeIfAbsent(t, k -> new ArrayList<>()).add(r.getLsn()));
        synchronized (lastFlush) {
          lastFlush.put(t, flushed);
        }
      }
      for (WalWriter w : writers.values()) {
        w.close();
      }
      done.set(true);
      readerThread.join(120_000);
      assertThat(readerThread.isAlive()).isFalse();

      for (Step step : steps) {
        for (TimelineId t : timelines) {
          long consistent = step.consistent().get(t);
          List<Long> seen = step.readSoFar().get(t);
          for (long lsn : committed.getOrDefault(t, List.of())) {
            if (lsn <= consistent) {
              assertThat(seen).as("record %d of %s, consistent LSN %d", lsn, t, consistent).contains(lsn);
            }
          }
        }
      }
      for (TimelineId t : timelines) {
        assertThat(read.getOrDefault(t, List.of())).containsExactlyInAnyOrderElementsOf(committed.getOrDefault(t,
            List.of()));
        assertThat(reader.consistentLsn(t)).isEqualTo(lastFlushOf(lastFlush, t));
      }
      assertThat(steps.size()).isGreaterThan(10);
    }
  }

  private static long lastFlushOf(Map<TimelineId, Long> lastFlush, TimelineId t) {
    synchronized (lastFlush) {
      return lastFlush.getOrDefault(t, 0L);
    }
  }
}
