package dev.folio.flink;

import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.page.Page;
import dev.folio.format.redo.Redo;
import dev.folio.format.testing.WalGenerator;
import dev.folio.format.wal.WalRecords;
import dev.folio.schemas.wal.WalRecord;
import dev.folio.wal.writer.WalWriter;
import dev.folio.wal.writer.WalWriterConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Valid random WAL for several timelines, written through real WalWriters, remembered so that
 * tests can fold it directly: the oracle every materialized page is compared with.
 */
public final class WalWorkload implements AutoCloseable {
  private final Random random;
  private final Map<TimelineId, WalGenerator> generators = new HashMap<>();
  private final Map<TimelineId, WalWriter> writers = new HashMap<>();
  private final Map<TimelineId, List<WalRecord>> committed = new HashMap<>();
  private final Map<TimelineId, Long> flushed = new HashMap<>();
  private final List<TimelineId> timelines = new ArrayList<>();

  public WalWorkload(WalWriterConfig config, int timelineCount, long seed) {
    this.random = new Random(seed);
    for (int t = 0; t < timelineCount; t++) {
      TimelineId timeline = TimelineId.generate();
      timelines.add(timeline);
      generators.put(timeline, new WalGenerator(new Random(seed + t), timeline, 4, 3));
      writers.put(timeline, WalWriter.open(config, timeline, 0, new SimpleMeterRegistry()));
      committed.put(timeline, new ArrayList<>());
    }
  }

  public List<TimelineId> timelines() {
    return timelines;
  }

  /** Writes {@code flushes} flushes of 1 to 12 records each, to timelines chosen at random. */
  public void run(int flushes) {
    run(flushes, timelines);
  }

  /** Writes {@code flushes} flushes to timelines chosen at random among {@code these}. */
  public void run(int flushes, List<TimelineId> these) {
    for (int f = 0; f < flushes; f++) {
      TimelineId t = these.get(random.nextInt(these.size()));
      WalWriter writer = writers.get(t);
      List<WalRecord> batch = new ArrayList<>();
      for (int i = 1 + random.nextInt(12); i > 0; i--) {
        WalRecord generated = generators.get(t).next();
        batch.add(writer.append(WalRecords.key(generated), generated.getXid(), generated.getBody()));
      }
      flushed.put(t, writer.flush().join());
      committed.get(t).addAll(batch);
    }
  }

  public WalWriter writer(TimelineId timeline) {
    return writers.get(timeline);
  }

  public long flushedLsn(TimelineId timeline) {
    return flushed.getOrDefault(timeline, 0L);
  }

  public List<WalRecord> committed(TimelineId timeline) {
    return committed.get(timeline);
  }

  public List<PageKey> keys(TimelineId timeline) {
    return generators.get(timeline).keys();
  }

  /** The oracle: the page folded straight from the records written, up to {@code lsn}. */
  public Optional<Page> fold(TimelineId timeline, PageKey key, long lsn) {
    List<WalRecord> mine = committed.get(timeline).stream()
        .filter(r -> WalRecords.key(r).equals(key) && Lsn.compare(r.getLsn(), lsn) <= 0).toList();
    return mine.isEmpty() ? Optional.empty() : Optional.of(Redo.applyAll(null, mine));
  }

  @Override
  public void close() {
    writers.values().forEach(WalWriter::close);
  }
}
