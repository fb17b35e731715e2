package dev.folio.compute.storage;

import dev.folio.format.Lsn;
import dev.folio.format.TimelineId;
import dev.folio.schemas.wal.WalRecord;
import dev.folio.wal.reader.WalMessage;
import dev.folio.wal.reader.WalReader;
import dev.folio.wal.writer.TimelineTail;
import dev.folio.wal.writer.WalWriterConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What makes a compute a hot replica: it follows its timeline's WAL on Kafka (read_committed) and
 * keeps its buffer cache and its knowledge of commits current, and says up to which LSN it has
 * everything ({@link #appliedLsn}), the LSN its sessions read at.
 *
 * <p>It starts at the timeline's last committed flush F, reading from the committed end of every
 * partition as it was before F was found: every record at or below F is already in what the page
 * service answers at F, and every later one lies after those offsets. Records are held until the
 * flush markers on every partition say that everything up to an LSN has been read, then applied in
 * LSN order: a page held in the cache gets the record; one not held is remembered as changed, so
 * that a request for it made earlier is asked again.
 */
public final class WalFollower implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WalFollower.class);

  private final TimelineId timeline;
  private final WalReader reader;
  private final Thread thread;
  private final List<WalRecord> pending = new ArrayList<>();
  private volatile long applied;
  private volatile boolean closing;
  private volatile String problem;
  private BufferCache pages;
  private Transactions transactions;

  private WalFollower(WalWriterConfig config, TimelineId timeline, long branchLsn, MeterRegistry meters) {
    this.timeline = timeline;
    TimelineTail.Start start = TimelineTail.followFrom(config, timeline);
    this.reader = new WalReader(config.bootstrapServers(), config.clientProperties(), config.topic(), start.offsets(),
        meters, false);
    this.applied = Lsn.max(start.lastCommittedFlush(), branchLsn);
    reader.tracker().assumeRead(timeline, applied);
    this.thread = new Thread(this::follow, "folio-wal-follower-" + timeline.toString().substring(0, 8));
    thread.setDaemon(true);
  }

  /**
   * Finds where to start (for a branch with no commit of its own yet, the LSN it branched at);
   * following begins once the cache and the transactions are given.
   */
  public static WalFollower open(WalWriterConfig config, TimelineId timeline, long branchLsn, MeterRegistry meters) {
    return new WalFollower(config, timeline, branchLsn, meters);
  }

  /** Starts applying the log to these. */
  public void start(BufferCache pages, Transactions transactions) {
    this.pages = pages;
    this.transactions = transactions;
    thread.start();
  }

  /** Everything of the timeline up to this LSN has been applied here. */
  public long appliedLsn() {
    return applied;
  }

  /** Null while it follows; else why it stopped. */
  public String problem() {
    return problem;
  }

  private void follow() {
    try {
      while (!closing) {
        for (WalMessage m : reader.poll(Duration.ofMillis(100))) {
          if (m instanceof WalMessage.Record r && TimelineId.fromAvro(r.record().getTimeline()).equals(timeline)
              && Lsn.compare(r.record().getLsn(), applied) > 0) {
            pending.add(r.record());
          }
        }
        long consistent = reader.consistentLsn(timeline);
        if (Lsn.compare(consistent, applied) > 0) {
          apply(consistent);
        }
      }
    } catch (RuntimeException e) {
      if (!closing) {
        problem = "the replica stopped following the log: " + e.getMessage();
        LOG.error("The WAL follower of timeline {} stopped", timeline, e);
      }
    }
  }

  private void apply(long upTo) {
    List<WalRecord> ready = new ArrayList<>();
    pending.removeIf(r -> {
      if (Lsn.compare(r.getLsn(), upTo) <= 0) {
        ready.add(r);
        return true;
      }
      return false;
    });
    ready.sort(Comparator.comparing(WalRecord::getLsn, Long::compareUnsigned));
    for (WalRecord r : ready) {
      transactions.replayed(r);
      pages.replay(r);
    }
    applied = upTo;
    transactions.advanced(upTo);
  }

  @Override
  public void close() {
    closing = true;
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    reader.close();
  }
}
