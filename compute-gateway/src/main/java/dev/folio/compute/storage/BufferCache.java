package dev.folio.compute.storage;

import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import dev.folio.format.page.Page;
import dev.folio.format.redo.Redo;
import dev.folio.format.wal.WalRecords;
import dev.folio.schemas.wal.FullPageImage;
import dev.folio.schemas.wal.WalRecord;
import java.nio.ByteBuffer;
import dev.folio.wal.writer.WalWriter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The compute's pages: a bounded LRU of pages, filled from the {@link PageSource} and changed only
 * through WAL. {@link #change} appends a record with the {@link WalWriter} and applies it with the
 * same {@link Redo} the materializer and the page service use, so the page in memory is, byte for
 * byte, what everyone else will rebuild from the log.
 *
 * <p>A page missed is asked for at the newest LSN this compute has written, with
 * {@code not_modified_since} = the LSN of the page's last change known here (a bounded map; for a
 * page not in it, the last committed flush when the writer started). A page
 * whose last change is not yet durable stays in memory: evicting it would lose the change for the
 * next reader here until the page service has it. Sequential scans read ahead in batches
 * ({@link #prefetch}, one GetPages stream). Pages are immutable: a change replaces the page, so a
 * reader holding one never sees it half changed.
 */
public final class BufferCache {
  private final PageSource source;
  /** The primary's writer; null in a compute that only reads (a replica, a static compute). */
  private final WalWriter writer;
  /** The LSN pages are read at: the newest written here, or the LSN a read-only compute reads at. */
  private final LongSupplier readLsn;
  /** A branch's branch point: its first change to a page from before it logs the whole page. */
  private final long branchLsn;
  private final int maxPages;
  private final long startLsn;
  private final LinkedHashMap<PageKey, Page> pages = new LinkedHashMap<>(1024, 0.75f, true);
  private final LinkedHashMap<PageKey, Long> lastWritten = new LinkedHashMap<>(1024, 0.75f, true);
  /** The highest last-written LSN dropped from {@link #lastWritten}: a safe floor for the rest. */
  private long forgottenWrites;
  private long hits;
  private long misses;
  private long prefetched;

  /**
   * The cache of a primary: pages change through its writer and are read at the newest LSN it
   * wrote. {@code branchLsn}: where its timeline branched from its ancestor (0 for a root).
   */
  public BufferCache(PageSource source, WalWriter writer, int maxPages, long branchLsn) {
    this.source = source;
    this.writer = writer;
    this.maxPages = maxPages;
    this.branchLsn = branchLsn;
    this.readLsn = () -> Lsn.max(writer.lastAppendedLsn(), 1);
    // The last committed flush, not the last LSN appended: a dead predecessor may have left
    // records of an aborted transaction above it, which the page service will never ingest.
    this.startLsn = writer.durableLsn();
  }

  /**
   * The cache of a compute that only reads: pages are read at {@code readLsn} (fixed for a static
   * compute; for a hot replica, the LSN up to which it has {@link #replay}ed the log, starting at
   * {@code startLsn}). {@link #change} is refused.
   */
  public BufferCache(PageSource source, long startLsn, LongSupplier readLsn, int maxPages) {
    this.source = source;
    this.writer = null;
    this.branchLsn = 0;
    this.maxPages = maxPages;
    this.readLsn = readLsn;
    this.startLsn = startLsn;
  }

  /** The LSN pages are read at now. */
  public long readLsn() {
    return readLsn.getAsLong();
  }

  /** A cache of the same pages as they were at {@code lsn}, that only reads (a session's time travel). */
  public BufferCache frozenAt(long lsn, int maxPages) {
    return new BufferCache(source, lsn, () -> lsn, maxPages);
  }

  /** The LSN of the timeline's last commit at or before {@code time} (IllegalArgumentException if none). */
  public long lsnAt(java.time.Instant time) {
    return source.lsnAt(time);
  }

  /**
   * A hot replica follows the log: a record (in LSN order per page) is applied to the page if it
   * is held here and does not have it yet, and remembered as the page's last change, so that an
   * answer to a request made before it is not kept.
   */
  public synchronized void replay(WalRecord record) {
    PageKey key = PageKey.of(record.getPage());
    Page held = pages.get(key);
    if (held != null && Lsn.compare(record.getLsn(), held.lsnValue()) > 0) {
      try {
        pages.put(key, Redo.apply(record.getWillInit() ? null : held, record));
      } catch (RuntimeException e) {
        // A record the page cannot take: the page is asked for again, as the page service has it.
        pages.remove(key);
      }
    }
    remember(key, record.getLsn());
  }

  /**
   * The page, or null if nobody ever wrote it. A miss asks the page service without holding the
   * cache, so that other sessions' reads go on meanwhile (a caller that holds the cache's monitor,
   * as a change does, keeps it through the request). What comes back is kept unless the page was
   * filled or changed here meanwhile: a change logged after the request's LSN makes the answer
   * stale, and the page is asked for again.
   */
  public Page read(PageKey key) {
    boolean counted = false;
    while (true) {
      long asOf;
      long since;
      synchronized (this) {
        Page p = pages.get(key);
        if (p != null) {
          if (!counted) {
            hits++;
          }
          return p;
        }
        if (!counted) {
          misses++;
          counted = true;
        }
        asOf = readLsn.getAsLong();
        since = notModifiedSince(key);
      }
      Page fetched = source.get(key, asOf, since);
      synchronized (this) {
        Page p = pages.get(key);
        if (p != null) {
          return p;
        }
        if (Lsn.compare(notModifiedSince(key), asOf) <= 0) {
          if (fetched != null) {
            put(key, fetched);
          }
          return fetched;
        }
      }
    }
  }

  /**
   * Reads ahead: the pages of {@code keys} not held here, in one request, as a sequential scan will
   * want them. At most half the cache, so that they are still here when the scan reaches them.
   * Like a miss, the request is made without holding the cache; a page changed meanwhile is not kept.
   */
  public void prefetch(List<PageKey> keys) {
    List<PageKey> missing = new ArrayList<>();
    long asOf;
    long notModifiedSince = 0;
    synchronized (this) {
      for (PageKey key : keys) {
        if (!pages.containsKey(key) && missing.size() < maxPages / 2) {
          missing.add(key);
        }
      }
      if (missing.size() < 2) {
        return;
      }
      for (PageKey key : missing) {
        notModifiedSince = Lsn.max(notModifiedSince, notModifiedSince(key));
      }
      asOf = readLsn.getAsLong();
    }
    List<Page> fetched = source.getMany(missing, asOf, notModifiedSince);
    synchronized (this) {
      prefetched += missing.size();
      for (int i = 0; i < missing.size(); i++) {
        PageKey key = missing.get(i);
        if (fetched.get(i) != null && !pages.containsKey(key) && Lsn.compare(notModifiedSince(key), asOf) <= 0) {
          put(key, fetched.get(i));
        }
      }
    }
  }

  /** The LSN of the page's last change known here, or the safe floor for a page not in the map. */
  private long notModifiedSince(PageKey key) {
    return lastWritten.getOrDefault(key, Lsn.max(startLsn, forgottenWrites));
  }

  /** Logs one change to one page and applies it; returns the record with its LSN. */
  public synchronized WalRecord change(PageKey key, long xid, Object body) {
    if (writer == null) {
      throw new IllegalStateException("a compute that only reads changes no page");
    }
    if (branchLsn != 0 && !WalRecords.initializesPage(body)) {
      Page inherited = read(key);
      if (inherited != null && Lsn.compare(inherited.lsnValue(), branchLsn) <= 0) {
        // A branch's first change to a page it inherited: the whole page goes first, so that the
        // branch's own log can rebuild the page without its ancestor's (as PostgreSQL's first
        // change after a checkpoint logs a full page image).
        WalRecord image = writer.append(key, 0, new FullPageImage(ByteBuffer.wrap(inherited.toByteArray())));
        put(key, Redo.apply(null, image));
        remember(key, image.getLsn());
      }
    }
    WalRecord record = writer.append(key, xid, body);
    Page before = record.getWillInit() ? null : read(key);
    Page after = Redo.apply(before, record);
    put(key, after);
    remember(key, record.getLsn());
    return record;
  }

  private void remember(PageKey key, long lsn) {
    lastWritten.put(key, lsn);
    if (lastWritten.size() > 4 * maxPages) {
      Iterator<Map.Entry<PageKey, Long>> it = lastWritten.entrySet().iterator();
      forgottenWrites = Lsn.max(forgottenWrites, it.next().getValue());
      it.remove();
    }
  }

  private void put(PageKey key, Page page) {
    pages.put(key, page);
    if (pages.size() <= maxPages) {
      return;
    }
    long durable = writer == null ? -1L : writer.durableLsn();
    for (Iterator<Map.Entry<PageKey, Page>> it = pages.entrySet().iterator(); it.hasNext() && pages.size() > maxPages; ) {
      Map.Entry<PageKey, Page> eldest = it.next();
      if (!eldest.getKey().equals(key) && Lsn.compare(eldest.getValue().lsnValue(), durable) <= 0) {
        it.remove();
      }
    }
  }

  public synchronized long hits() {
    return hits;
  }

  public synchronized long misses() {
    return misses;
  }

  /** Shows the cache in metrics: pages held, hits, misses, pages read ahead. */
  public void register(MeterRegistry meters) {
    Gauge.builder("folio_compute_buffer_cache_pages", this, BufferCache::size)
        .description("Pages in the compute's buffer cache").register(meters);
    FunctionCounter.builder("folio_compute_buffer_cache_hits", this, BufferCache::hits).register(meters);
    FunctionCounter.builder("folio_compute_buffer_cache_misses", this, BufferCache::misses)
        .description("Pages asked of the page service one at a time").register(meters);
    FunctionCounter.builder("folio_compute_buffer_cache_prefetched", this, BufferCache::prefetched)
        .description("Pages read ahead in batches for sequential scans").register(meters);
  }

  /** Pages read ahead for sequential scans. */
  public synchronized long prefetched() {
    return prefetched;
  }

  public synchronized int size() {
    return pages.size();
  }

  /** The pages held now, for checks. */
  public synchronized Map<PageKey, Page> held() {
    return Map.copyOf(pages);
  }
}
