package dev.folio.wal.writer;

import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.wal.WalCodec;
import dev.folio.format.wal.WalRecords;
import dev.folio.schemas.wal.FlushMarker;
import dev.folio.schemas.wal.Id128;
import dev.folio.schemas.wal.WalRecord;
import dev.folio.wal.topic.WalPartitioner;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one timeline's WAL to Kafka (DESIGN invariants 2, 4 and 5).
 *
 * <p>{@link #append} gives each record the next LSN, the position where it ends: the previous LSN
 * plus the size of the record's encoding (with the previous LSN in its place), and buffers it.
 * {@link #flush} returns a future that completes once everything up to an LSN is durable.
 *
 * <p>A flush is one Kafka transaction ({@code transactional.id = folio-wal-<timeline>}, acks=all,
 * idempotence on): every record appended since the previous flush, keyed and partitioned by page
 * key, then one {@link FlushMarker} on every partition. A single flusher thread owns the producer:
 * it sends appended records into the open transaction as they come, so that a flush has only the
 * markers and the commit left to do, and it commits when a flush is asked for, or on its own once
 * the transaction has been open for {@code maxFlushDelay}. Flush calls that arrive during a commit
 * are served together by the next one (group commit), so no flush waits for more than the
 * transaction in flight and the one after it. Records appended together with {@link #appendAll}
 * are never split between two flushes.
 *
 * <p>Opening a writer fences any earlier writer of the timeline (the fenced one fails every
 * pending and later call with {@link WalWriterFencedException}) and aborts its open transaction,
 * then reads back the end of the log, so LSNs continue after anything the timeline ever wrote.
 * When a transaction fails, the writer aborts it and fails every pending and later call with a
 * {@link WalWriterException}: an acknowledged flush is never lost, and an unacknowledged one is
 * either wholly visible or wholly invisible. Thread-safe.
 */
public final class WalWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WalWriter.class);

  /** One change to append: the LSN is the writer's to give. */
  public record Change(PageKey key, long xid, Object body) {}

  private record Pending(ProducerRecord<byte[], byte[]> record, long lsn) {}

  private static final int LSN_FIELD = WalRecord.getClassSchema().getField("lsn").pos();

  private record Waiter(long lsn, CompletableFuture<Long> future) {}

  private final TimelineId timeline;
  private final WalWriterConfig config;
  private final Producer<byte[], byte[]> producer;
  private final int partitions;
  private final Consumer<Producer<byte[], byte[]>> beforeCommit;
  private final Thread flusher;
  private final Id128 timelineId;
  private final long maxFlushDelayNanos;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final Condition drained = lock.newCondition();
  private List<Pending> buffer = new ArrayList<>();
  private long bufferedBytes;
  // Written under the lock; volatile so that the getters need not take it.
  private volatile long lastLsn;
  private volatile long durableLsn;
  private long requestedLsn;
  private final PriorityQueue<Waiter> waiters = new PriorityQueue<>((a, b) -> Lsn.compare(a.lsn, b.lsn));
  // Volatile so that health checks need not take the lock.
  private volatile RuntimeException failure;
  private boolean closing;

  private final Counter recordsCounter;
  private final Counter bytesCounter;
  private final Counter flushesCounter;
  private final Counter abortedCounter;
  private final Timer flushTimer;
  private final DistributionSummary batchSize;

  private WalWriter(WalWriterConfig config, TimelineId timeline, Producer<byte[], byte[]> producer, long lastLsn,
      long durableLsn, MeterRegistry registry, Consumer<Producer<byte[], byte[]>> beforeCommit) {
    this.config = config;
    this.timeline = timeline;
    this.producer = producer;
    this.partitions = producer.partitionsFor(config.topic().walTopic()).size();
    this.lastLsn = lastLsn;
    this.durableLsn = durableLsn;
    this.requestedLsn = durableLsn;
    this.beforeCommit = beforeCommit;
    this.timelineId = timeline.toAvro();
    this.maxFlushDelayNanos = config.maxFlushDelay().toNanos();
    String tl = timeline.toString();
    this.recordsCounter = Counter.builder("folio.wal.records").description("WAL records appended")
        .tag("timeline", tl).register(registry);
    this.bytesCounter = Counter.builder("folio.wal.bytes").description("bytes of WAL records appended")
        .baseUnit("bytes").tag("timeline", tl).register(registry);
    this.flushesCounter = Counter.builder("folio.wal.flushes").description("committed WAL flushes")
        .tag("timeline", tl).register(registry);
    this.abortedCounter = Counter.builder("folio.wal.aborted.transactions").description("flushes that failed")
        .tag("timeline", tl).register(registry);
    this.flushTimer = Timer.builder("folio.wal.flush.latency").description("time a flush transaction was open")
        .tag("timeline", tl).publishPercentileHistogram().register(registry);
    this.batchSize = DistributionSummary.builder("folio.wal.flush.records").description("records per flush")
        .tag("timeline", tl).register(registry);
    this.flusher = new Thread(this::flushLoop, "folio-wal-flusher-" + tl.substring(0, 8));
    this.flusher.setDaemon(true);
    this.flusher.start();
  }

  /**
   * Opens the writer of {@code timeline}: fences any earlier writer, then continues after the last
   * LSN the timeline wrote, or after {@code startLsn} if it never wrote (a new timeline starts at
   * its branch point).
   */
  public static WalWriter open(WalWriterConfig config, TimelineId timeline, long startLsn, MeterRegistry registry) {
    return open(config, timeline, startLsn, registry, producer -> {});
  }

  /** As {@link #open}, with a hook run in each flush just before the commit: for fault injection in tests. */
  static WalWriter open(WalWriterConfig config, TimelineId timeline, long startLsn, MeterRegistry registry,
      Consumer<Producer<byte[], byte[]>> beforeCommit) {
    Map<String, Object> props = new HashMap<>(config.clientProperties());
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId(timeline));
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.putIfAbsent(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    // Records stream to the broker before their flush; a commit sends what lingers at once.
    props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, config.timeout().toMillis());
    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
        new ByteArraySerializer());
    try {
      long begun = System.nanoTime();
      producer.initTransactions();
      long fenced = System.nanoTime();
      int partitions = producer.partitionsFor(config.topic().walTopic()).size();
      if (partitions != config.topic().partitions()) {
        throw WalWriterException.failed("the WAL topic " + config.topic().walTopic() + " has " + partitions
            + " partitions, the writer is set for " + config.topic().partitions(), null);
      }
      TimelineTail.End end = TimelineTail.read(config, timeline);
      long last = Lsn.max(end.lastLsnWritten(), startLsn);
      LOG.info("WAL writer of timeline {} opened: last committed flush {}, continuing after {} (fencing {} ms, "
          + "reading the tail {} ms)", timeline, Lsn.format(end.lastCommittedFlush()), Lsn.format(last),
          (fenced - begun) / 1_000_000, (System.nanoTime() - fenced) / 1_000_000);
      return new WalWriter(config, timeline, producer, last, Lsn.max(end.lastCommittedFlush(), startLsn), registry,
          beforeCommit);
    } catch (RuntimeException e) {
      producer.close(Duration.ZERO);
      throw e;
    }
  }

  public static String transactionalId(TimelineId timeline) {
    return "folio-wal-" + timeline;
  }

  public TimelineId timeline() {
    return timeline;
  }

  /** The LSN of the last record appended. */
  public long lastAppendedLsn() {
    return lastLsn;
  }

  /** Everything up to this LSN is committed to the log. */
  public long durableLsn() {
    return durableLsn;
  }

  /** Why this writer can write no more (fenced by a newer one, or a failed flush), or null while it can. */
  public String problem() {
    RuntimeException f = failure;
    return f == null ? null : f.getMessage();
  }

  /** Appends one record and returns it with its LSN. */
  public WalRecord append(PageKey key, long xid, Object body) {
    return appendAll(List.of(new Change(key, xid, body))).get(0);
  }

  /**
   * Appends records that belong together (e.g. the pages of a b-tree split): they get consecutive
   * LSNs and land in the same flush. Returns them with their LSNs, in order.
   */
  public List<WalRecord> appendAll(List<Change> changes) {
    // Encode outside the lock, with LSN 0 (one byte) in place; the LSN is set under the lock.
    List<WalRecord> records = new ArrayList<>(changes.size());
    byte[][] encoded = new byte[changes.size()][];
    byte[][] keys = new byte[changes.size()][];
    for (int i = 0; i < changes.size(); i++) {
      Change c = changes.get(i);
      WalRecord record = new WalRecord(timelineId, 0L, c.xid(), c.key().toAddress(),
          WalRecords.initializesPage(c.body()), c.body());
      records.add(record);
      encoded[i] = WalCodec.get().encode(record);
      keys[i] = c.key().encode();
    }
    lock.lock();
    try {
      checkUsable();
      while (bufferedBytes > config.maxBufferedBytes()) {
        drained.awaitUninterruptibly();
        checkUsable();
      }
      long lsn = lastLsn;
      for (int i = 0; i < records.size(); i++) {
        // The record's size is that of its encoding with the previous LSN in its place.
        lsn += encoded[i].length - 1 + varintLength(lsn);
        records.get(i).put(LSN_FIELD, lsn);
        byte[] value = WalCodec.get().withLsn(encoded[i], lsn);
        buffer.add(new Pending(new ProducerRecord<>(config.topic().walTopic(),
            WalPartitioner.partitionOf(keys[i], partitions), keys[i], value), lsn));
        bufferedBytes += value.length + keys[i].length;
        bytesCounter.increment(value.length);
      }
      recordsCounter.increment(records.size());
      lastLsn = lsn;
      work.signal();
      return records;
    } finally {
      lock.unlock();
    }
  }

  /** Bytes of the zig-zag varint Avro writes for a long. */
  static int varintLength(long value) {
    long n = (value << 1) ^ (value >> 63);
    int length = 1;
    while ((n & ~0x7FL) != 0) {
      n >>>= 7;
      length++;
    }
    return length;
  }

  /** Makes everything up to {@code lsn} durable; the future completes with the durable LSN. */
  public CompletableFuture<Long> flush(long lsn) {
    lock.lock();
    try {
      if (failure != null) {
        return CompletableFuture.failedFuture(failure);
      }
      if (Lsn.compare(lsn, lastLsn) > 0) {
        return CompletableFuture.failedFuture(new IllegalArgumentException("cannot flush up to " + Lsn.format(lsn)
            + ": the last record appended ends at " + Lsn.format(lastLsn)));
      }
      if (Lsn.compare(lsn, durableLsn) <= 0) {
        return CompletableFuture.completedFuture(durableLsn);
      }
      if (closing) {
        return CompletableFuture.failedFuture(WalWriterException.closed(timeline.toString()));
      }
      CompletableFuture<Long> future = new CompletableFuture<>();
      waiters.add(new Waiter(lsn, future));
      requestedLsn = Lsn.max(requestedLsn, lsn);
      work.signal();
      return future;
    } finally {
      lock.unlock();
    }
  }

  /** Makes everything appended so far durable. */
  public CompletableFuture<Long> flush() {
    return flush(lastAppendedLsn());
  }

  private void checkUsable() {
    if (failure != null) {
      throw failure;
    }
    if (closing) {
      throw WalWriterException.closed(timeline.toString());
    }
  }

  /**
   * The flusher: hands buffered records to the producer inside the open transaction, and commits
   * it when a flush is asked for, when it has been open too long, or when the writer closes.
   */
  private void flushLoop() {
    boolean open = false;
    long openedAt = 0;
    long sentLsn = durableLsn;
    long sentInTransaction = 0;
    while (true) {
      List<Pending> batch = null;
      boolean commit;
      lock.lock();
      try {
        while (true) {
          if (failure != null) {
            return;
          }
          boolean due = open && System.nanoTime() - openedAt >= maxFlushDelayNanos;
          if (!buffer.isEmpty() || Lsn.compare(requestedLsn, durableLsn) > 0 || due || (closing && open)) {
            break;
          }
          if (closing) {
            return;
          }
          awaitWork(open ? maxFlushDelayNanos - (System.nanoTime() - openedAt) : -1);
        }
        if (!buffer.isEmpty()) {
          batch = buffer;
          buffer = new ArrayList<>();
          bufferedBytes = 0;
          sentLsn = lastLsn;
          drained.signalAll();
        }
        commit = Lsn.compare(requestedLsn, durableLsn) > 0 || closing
            || (open && System.nanoTime() - openedAt >= maxFlushDelayNanos);
      } finally {
        lock.unlock();
      }
      try {
        if (!open) {
          producer.beginTransaction();
          open = true;
          openedAt = System.nanoTime();
        }
        if (batch != null) {
          for (Pending p : batch) {
            producer.send(p.record);
          }
          sentInTransaction += batch.size();
        }
        if (commit) {
          commit(sentLsn, openedAt);
          batchSize.record(sentInTransaction);
          sentInTransaction = 0;
          open = false;
          completeUpTo(sentLsn);
        }
      } catch (RuntimeException e) {
        fail(e);
        return;
      }
    }
  }

  private void awaitWork(long nanos) {
    try {
      if (nanos < 0) {
        work.await();
      } else {
        work.awaitNanos(nanos);
      }
    } catch (InterruptedException e) {
      // Only close stops the flusher; an interrupt just wakes it.
    }
  }

  private void completeUpTo(long flushLsn) {
    lock.lock();
    try {
      durableLsn = flushLsn;
      while (!waiters.isEmpty() && Lsn.compare(waiters.peek().lsn, durableLsn) <= 0) {
        waiters.poll().future.complete(durableLsn);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Ends the open transaction: a marker on every partition, then the commit. */
  private void commit(long flushLsn, long openedAt) {
    byte[] marker = WalCodec.get().encode(new FlushMarker(timelineId, flushLsn, Instant.now().toEpochMilli() * 1000));
    byte[] markerKey = timeline.toBytes();
    for (int partition = 0; partition < partitions; partition++) {
      producer.send(new ProducerRecord<>(config.topic().walTopic(), partition, markerKey, marker));
    }
    beforeCommit.accept(producer);
    producer.commitTransaction();
    flushTimer.record(System.nanoTime() - openedAt, TimeUnit.NANOSECONDS);
    flushesCounter.increment();
  }

  /** Turns a failed transaction into the writer's end: abort it, and fail every pending call. */
  private void fail(RuntimeException cause) {
    abortedCounter.increment();
    RuntimeException failure;
    if (isFencing(cause)) {
      failure = new WalWriterFencedException(timeline.toString(), cause);
      LOG.warn("WAL writer of timeline {} was fenced by a newer writer", timeline);
    } else {
      failure = WalWriterException.failed("a flush of timeline " + timeline + " failed and was aborted: " + cause, cause);
      LOG.error("WAL writer of timeline {} failed", timeline, cause);
      try {
        producer.abortTransaction();
      } catch (RuntimeException abortFailed) {
        failure.addSuppressed(abortFailed);
      }
    }
    lock.lock();
    try {
      this.failure = failure;
      while (!waiters.isEmpty()) {
        waiters.poll().future.completeExceptionally(failure);
      }
      buffer = new ArrayList<>();
      bufferedBytes = 0;
      drained.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private static boolean isFencing(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Flushes everything appended, stops the flusher and closes the producer. Appends and flushes
   * after close fail.
   */
  @Override
  public void close() {
    lock.lock();
    try {
      closing = true;
      work.signal();
    } finally {
      lock.unlock();
    }
    try {
      flusher.join(config.timeout().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    lock.lock();
    try {
      RuntimeException closed = failure != null ? failure : WalWriterException.closed(timeline.toString());
      while (!waiters.isEmpty()) {
        waiters.poll().future.completeExceptionally(closed);
      }
    } finally {
      lock.unlock();
    }
    producer.close(failure != null ? Duration.ZERO : config.timeout());
  }
}
