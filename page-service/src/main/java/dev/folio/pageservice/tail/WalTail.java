package dev.folio.pageservice.tail;

import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.schemas.wal.ClogSetStatus;
import dev.folio.schemas.wal.WalRecord;
import dev.folio.schemas.wal.XactStatus;
import dev.folio.wal.reader.ConsistencyTracker;
import dev.folio.wal.reader.WalMessage;
import dev.folio.wal.reader.WalReader;
import dev.folio.wal.topic.WalTopicConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The newest WAL, read from Kafka (read_committed, every partition, from the beginning of what
 * Kafka retains) and held in memory above each timeline's materialized LSN, so that pages are
 * served before Flink has written them to layers. It also knows, per timeline, the ingested LSN
 * (everything up to it has been read: the flush markers, DESIGN invariant 6), the newest flush,
 * and when each commit happened.
 *
 * <p>Bounded: past {@code maxBytes} it stops reading until the layers catch up and the records
 * they hold are dropped. It never drops a record the layers do not hold; a request then waits
 * for its LSN, or times out, rather than get a wrong page.
 */
public final class WalTail implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WalTail.class);

  /** What the tail has read of a timeline, as of its last poll. */
  public record Progress(long ingestedLsn, long lastFlushLsn) {}

  private final WalReader reader;
  private final long maxBytes;
  private final Map<TimelineId, TimelineTail> tails = new ConcurrentHashMap<>();
  private final Map<TimelineId, Long> materialized = new ConcurrentHashMap<>();
  private final Map<TimelineId, Progress> progress = new ConcurrentHashMap<>();
  private final Map<TimelineId, CommitClock> clocks = new ConcurrentHashMap<>();
  private final AtomicLong bytes = new AtomicLong();
  private final Object advanced = new Object();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean caughtUp;
  private volatile RuntimeException failure;

  public WalTail(String bootstrapServers, Map<String, String> kafkaProperties, WalTopicConfig topic, long maxBytes,
      MeterRegistry registry) {
    this.reader = new WalReader(bootstrapServers, kafkaProperties, topic, Map.of(), registry, false);
    this.maxBytes = maxBytes;
    Gauge.builder("folio.pageservice.tail.bytes", bytes, AtomicLong::get).baseUnit("bytes")
        .description("WAL held in memory above the materialized LSNs").register(registry);
    this.thread = new Thread(this::run, "folio-wal-tail");
    thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  private void run() {
    try {
      while (running) {
        if (bytes.get() > maxBytes) {
          synchronized (advanced) {
            advanced.wait(100);
          }
          continue;
        }
        List<WalMessage> messages = reader.poll(Duration.ofMillis(100));
        for (WalMessage m : messages) {
          if (m instanceof WalMessage.Record r) {
            take(r);
          } else if (m instanceof WalMessage.Marker marker) {
            clock(marker.timeline()).flushed(marker.marker().getFlushLsn(), marker.marker().getTimeMicros());
          }
        }
        publish();
        if (messages.isEmpty()) {
          caughtUp = true;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("The WAL tail stopped: {}", e.toString(), e);
      failure = e;
    }
  }

  private void take(WalMessage.Record r) {
    WalRecord record = r.record();
    TimelineId timeline = TimelineId.fromAvro(record.getTimeline());
    if (record.getBody() instanceof ClogSetStatus status && status.getStatus() == XactStatus.COMMITTED) {
      clock(timeline).commit(status.getTimeMicros(), record.getLsn());
    }
    TimelineTail tail = tails.computeIfAbsent(timeline, t -> {
      TimelineTail fresh = new TimelineTail();
      fresh.materialized(materialized.getOrDefault(t, 0L));
      return fresh;
    });
    bytes.addAndGet(tail.add(PageKey.of(record.getPage()), record, r.bytes()));
  }

  private void publish() {
    ConsistencyTracker tracker = reader.tracker();
    for (TimelineId t : tracker.timelines()) {
      progress.put(t, new Progress(tracker.consistentLsn(t), tracker.lastFlushSeen(t)));
    }
    synchronized (advanced) {
      advanced.notifyAll();
    }
  }

  private CommitClock clock(TimelineId timeline) {
    return clocks.computeIfAbsent(timeline, t -> new CommitClock());
  }

  /** What the tail has read of the timeline; zeros if it has seen no marker of it. */
  public Progress progress(TimelineId timeline) {
    return progress.getOrDefault(timeline, new Progress(0, 0));
  }

  public CommitClock clockOf(TimelineId timeline) {
    return clock(timeline);
  }

  /** The page's records read from Kafka in (after, upto], in LSN order. */
  public List<WalRecord> records(TimelineId timeline, PageKey key, long after, long upto) {
    TimelineTail tail = tails.get(timeline);
    return tail == null ? List.of() : tail.records(key, after, upto);
  }

  /** The layers now hold the timeline up to {@code lsn}: drop those records. */
  public void materialized(TimelineId timeline, long lsn) {
    materialized.merge(timeline, lsn, Lsn::max);
    TimelineTail tail = tails.get(timeline);
    if (tail != null) {
      bytes.addAndGet(-tail.materialized(lsn));
    }
    synchronized (advanced) {
      advanced.notifyAll();
    }
  }

  /**
   * Waits until {@code done} holds for the timeline's progress, at most {@code timeout}; true if
   * it does. Woken after every poll of Kafka.
   */
  public boolean await(TimelineId timeline, java.util.function.Predicate<Progress> done, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (advanced) {
      while (!done.test(progress(timeline))) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        advanced.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
      return true;
    }
  }

  /** Has read everything Kafka held at least once since starting. */
  public boolean caughtUp() {
    return caughtUp;
  }

  /** Why the tail stopped, or null while it runs. */
  public RuntimeException failure() {
    return failure;
  }

  public long bytes() {
    return bytes.get();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(TimeUnit.SECONDS.toMillis(10));
    reader.close();
  }
}
