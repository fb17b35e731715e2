package dev.folio.pageservice.tail;

import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import dev.folio.schemas.wal.WalRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The records of one timeline read from Kafka above its materialized LSN, per page in LSN order.
 * Written by the tail's reader thread, read by request threads.
 */
final class TimelineTail {
  private record Entry(WalRecord record, int bytes) {}

  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final Map<PageKey, List<Entry>> pages = new HashMap<>();
  /** Records at or below this are in the layers; the tail neither keeps nor takes them. */
  private long floor;
  private long bytes;

  /** Adds a record; returns the bytes it added (0 if the layers hold it already). */
  int add(PageKey key, WalRecord record, int size) {
    lock.writeLock().lock();
    try {
      if (Lsn.compare(record.getLsn(), floor) <= 0) {
        return 0;
      }
      pages.computeIfAbsent(key, k -> new ArrayList<>()).add(new Entry(record, size));
      bytes += size;
      return size;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** The page's records in (after, upto], in LSN order. */
  List<WalRecord> records(PageKey key, long after, long upto) {
    lock.readLock().lock();
    try {
      List<Entry> entries = pages.get(key);
      if (entries == null) {
        return List.of();
      }
      List<WalRecord> out = new ArrayList<>();
      for (Entry e : entries) {
        long lsn = e.record().getLsn();
        if (Lsn.compare(lsn, after) > 0 && Lsn.compare(lsn, upto) <= 0) {
          out.add(e.record());
        }
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Drops what the layers now hold (everything at or below {@code lsn}); returns the bytes freed. */
  long materialized(long lsn) {
    lock.writeLock().lock();
    try {
      if (Lsn.compare(lsn, floor) <= 0) {
        return 0;
      }
      floor = lsn;
      long freed = 0;
      for (Iterator<List<Entry>> it = pages.values().iterator(); it.hasNext(); ) {
        List<Entry> entries = it.next();
        int keep = 0;
        while (keep < entries.size() && Lsn.compare(entries.get(keep).record().getLsn(), lsn) <= 0) {
          freed += entries.get(keep).bytes();
          keep++;
        }
        if (keep == entries.size()) {
          it.remove();
        } else if (keep > 0) {
          entries.subList(0, keep).clear();
        }
      }
      bytes -= freed;
      return freed;
    } finally {
      lock.writeLock().unlock();
    }
  }

  long bytes() {
    lock.readLock().lock();
    try {
      return bytes;
    } finally {
      lock.readLock().unlock();
    }
  }
}
