package dev.folio.wal.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.wal.WalRecords;
import dev.folio.schemas.wal.WalRecord;
import dev.folio.testsupport.KafkaEndpoint;
import dev.folio.testsupport.RealInfra;
import dev.folio.wal.WalTestLog;
import dev.folio.wal.reader.WalMessage;
import dev.folio.wal.topic.WalPartitioner;
import dev.folio.wal.topic.WalTopicConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** WalWriter against a real broker: order, atomicity, fencing, restart, group commit. */
@RealInfra
class WalWriterTest {

  private static WalWriterConfig config(KafkaEndpoint kafka, WalTopicConfig topic) {
    return WalWriterConfig.of(kafka.bootstrapServers(), topic);
  }

  @Test
  void everyCommittedRecordArrivesInLsnOrderPerPageWithMonotonicMarkers(KafkaEndpoint kafka) {
    WalTopicConfig topic = WalTestLog.topic(kafka);
    TimelineId timeline = TimelineId.generate();
    Random random = new Random(1);
    List<WalRecord> written = new ArrayList<>();
    long flushed;
    try (WalWriter writer = WalWriter.open(config(kafka, topic), timeline, 0, new SimpleMeterRegistry())) {
      for (int flush = 0; flush < 20; flush++) {
        for (int i = random.nextInt(30); i >= 0; i--) {
          written.add(writer.append(WalTestLog.change(random, 12).key(), 7, WalTestLog.change(random, 12).body()));
        }
        assertThat(writer.flush().join()).isEqualTo(writer.lastAppendedLsn());
      }
      flushed = writer.durableLsn();
    }
    List<WalMessage> log = WalTestLog.readUntil(kafka, topic, timeline, flushed);

    List<WalMessage.Record> read = WalTestLog.records(log, timeline);
    assertThat(read).extracting(WalMessage.Record::record).containsExactlyInAnyOrderElementsOf(written);
    Map<PageKey, Long> lastLsnOfPage = new HashMap<>();
    for (WalMessage.Record r : read) {
      PageKey key = WalRecords.key(r.record());
      assertThat(r.partition()).isEqualTo(WalPartitioner.partitionOf(key, topic.partitions()));
      Long previous = lastLsnOfPage.put(key, r.record().getLsn());
      if (previous != null) {
        assertThat(Lsn.compare(r.record().getLsn(), previous)).as("LSN order of page %s", key).isPositive();
      }
    }
    Map<Integer, Long> lastMarker = new HashMap<>();
    int markers = 0;
    for (WalMessage m : log) {
      if (m instanceof WalMessage.Marker marker && marker.timeline().equals(timeline)) {
        Long previous = lastMarker.put(m.partition(), marker.marker().getFlushLsn());
        assertThat(previous == null || marker.marker().getFlushLsn() > previous).isTrue();
        markers++;
      }
    }
    assertThat(markers).isEqualTo(20 * topic.partitions());
  }

  @Test
  void aWriterKilledMidFlushLeavesNothingAndTheNextOneContinuesAfterIt(KafkaEndpoint kafka) {
    WalTopicConfig topic = WalTestLog.topic(kafka);
    TimelineId timeline = TimelineId.generate();
    Random random = new Random(2);
    List<WalRecord> committed = new ArrayList<>();
    List<WalRecord> lost = new ArrayList<>();
    long killedAt;
    // The hook abandons the producer with the transaction open, its records on the broker, as a
    // crash between the last send and the commit would.
    WalWriter doomed = WalWriter.open(config(kafka, topic), timeline, 0, new SimpleMeterRegistry(), producer -> {
      if (!lost.isEmpty()) {
        producer.flush();
        producer.close(Duration.ZERO);
        throw new IllegalStateException("killed before commit");
      }
    });
    for (int i = 0; i < 25; i++) {
      committed.add(doomed.appendAll(List.of(WalTestLog.change(random, 8))).get(0));
    }
    long firstFlush = doomed.flush().join();
    for (int i = 0; i < 25; i++) {
      lost.add(doomed.appendAll(List.of(WalTestLog.change(random, 8))).get(0));
    }
    killedAt = doomed.lastAppendedLsn();
    CompletableFuture<Long> dying = doomed.flush();
    assertThatThrownBy(dying::join).isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(WalWriterException.class).hasMessageContaining("WAL_WRITER_FAILED");
    assertThatThrownBy(() -> doomed.append(WalRecords.key(committed.get(0)), 1, committed.get(0).getBody()))
        .isInstanceOf(WalWriterException.class);
    doomed.close();

    try (WalWriter next = WalWriter.open(config(kafka, topic), timeline, 0, new SimpleMeterRegistry())) {
      assertThat(next.durableLsn()).isEqualTo(firstFlush);
      assertThat(next.lastAppendedLsn()).as("no LSN of the lost flush is used again").isEqualTo(killedAt);
      WalRecord after = next.append(WalRecords.key(committed.get(0)), 9, committed.get(0).getBody());
      assertThat(Lsn.compare(after.getLsn(), killedAt)).isPositive();
      committed.add(after);
      long end = next.flush().join();
      assertThat(WalTestLog.committedRecords(kafka, topic, timeline, end)).containsExactlyInAnyOrderElementsOf(committed);
    }
  }

  @Test
  void aSecondWriterFencesTheFirst(KafkaEndpoint kafka) {
    WalTopicConfig topic = WalTestLog.topic(kafka);
    TimelineId timeline = TimelineId.generate();
    Random random = new Random(3);
    // The first writer must still hold its pending record when the second arrives.
    WalWriter first = WalWriter.open(config(kafka, topic).withMaxFlushDelay(Duration.ofHours(1)), timeline, 0,
        new SimpleMeterRegistry());
    WalRecord before = first.appendAll(List.of(WalTestLog.change(random, 4))).get(0);
    first.flush().join();
    WalRecord pending = first.appendAll(List.of(WalTestLog.change(random, 4))).get(0);

    try (WalWriter second = WalWriter.open(config(kafka, topic), timeline, 0, new SimpleMeterRegistry())) {
      assertThatThrownBy(() -> first.flush().join()).isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(WalWriterFencedException.class).hasMessageContaining("WAL_WRITER_FENCED");
      assertThatThrownBy(() -> first.append(WalRecords.key(before), 1, before.getBody()))
          .isInstanceOf(WalWriterFencedException.class);
      assertThatThrownBy(() -> first.flush(0).join()).hasCauseInstanceOf(WalWriterFencedException.class);
      first.close();

      WalRecord mine = second.append(WalRecords.key(before), 2, before.getBody());
      long end = second.flush().join();
      assertThat(WalTestLog.committedRecords(kafka, topic, timeline, end)).containsExactlyInAnyOrder(before, mine)
          .doesNotContain(pending);
    }
  }

  @Test
  void concurrentFlushesShareTransactions(KafkaEndpoint kafka) throws Exception {
    WalTopicConfig topic = WalTestLog.topic(kafka);
    TimelineId timeline = TimelineId.generate();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    int threads = 16;
    int commitsEach = 20;
    List<WalRecord> written = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long end;
    try (WalWriter writer = WalWriter.open(config(kafka, topic), timeline, 0, registry)) {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Random random = new Random(t);
        done.add(pool.submit(() -> {
          for (int c = 0; c < commitsEach; c++) {
            List<WalRecord> mine = writer.appendAll(List.of(WalTestLog.change(random, 50), WalTestLog.change(random, 50)));
            written.addAll(mine);
            long lsn = mine.get(1).getLsn();
            assertThat(Lsn.compare(writer.flush(lsn).join(), lsn)).isGreaterThanOrEqualTo(0);
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
      end = writer.durableLsn();
    } finally {
      pool.shutdownNow();
    }
    double flushes = registry.get("folio.wal.flushes").counter().count();
    assertThat(flushes).as("transactions for %d flush calls", threads * commitsEach)
        .isGreaterThan(0).isLessThan(threads * commitsEach);
    assertThat(registry.get("folio.wal.flush.records").summary().totalAmount()).isEqualTo(written.size());
    assertThat(registry.get("folio.wal.records").counter().count()).isEqualTo(written.size());
    assertThat(WalTestLog.committedRecords(kafka, topic, timeline, end)).containsExactlyInAnyOrderElementsOf(written);
  }

  @Test
  void unflushedRecordsAreFlushedWithinTheDelayAndANewWriterResumesAfterAClose(KafkaEndpoint kafka) {
    WalTopicConfig topic = WalTestLog.topic(kafka);
    TimelineId timeline = TimelineId.generate();
    Random random = new Random(4);
    WalWriterConfig small = config(kafka, topic).withMaxBufferedBytes(4096);
    long last;
    try (WalWriter writer = WalWriter.open(small, timeline, 0x5000, new SimpleMeterRegistry())) {
      assertThat(writer.lastAppendedLsn()).isEqualTo(0x5000);
      for (int i = 0; i < 300; i++) {
        writer.appendAll(List.of(WalTestLog.change(random, 10)));
      }
      long appended = writer.lastAppendedLsn();
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> writer.durableLsn() == appended);
      assertThatThrownBy(() -> writer.flush(appended + 1).join()).hasCauseInstanceOf(IllegalArgumentException.class);
      writer.append(WalTestLog.change(random, 10).key(), 1, WalTestLog.change(random, 10).body());
      last = writer.lastAppendedLsn();
    }
    try (WalWriter again = WalWriter.open(small, timeline, 0x5000, new SimpleMeterRegistry())) {
      assertThat(again.lastAppendedLsn()).as("close flushed the last record").isEqualTo(last);
      assertThat(again.durableLsn()).isEqualTo(last);
    }
  }
}
