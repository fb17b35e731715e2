package dev.folio.pageservice.tail;

import dev.folio.format.Lsn;
import java.util.Map;
import java.util.TreeMap;

/**
 * When each commit of a timeline happened: commit time to the LSN of its commit-log record, from
 * the records the tail reads (the commit time is in the record), and the newest flush marker's
 * time. Answers time-to-LSN as Neon's get_lsn_by_timestamp does.
 */
public final class CommitClock {
  /** Where a time falls in what the clock knows. */
  public enum Kind { PRESENT, PAST, FUTURE, NO_DATA }

  /** The answer: for PRESENT, the last commit at or before the time and its commit time. */
  public record Answer(Kind kind, long lsn, long commitTimeMicros) {}

  private final TreeMap<Long, Long> commits = new TreeMap<>();
  private long lastFlushLsn;
  private long lastFlushMicros;

  synchronized void commit(long timeMicros, long lsn) {
    commits.merge(timeMicros, lsn, Lsn::max);
  }

  synchronized void flushed(long flushLsn, long timeMicros) {
    if (Lsn.compare(flushLsn, lastFlushLsn) > 0) {
      lastFlushLsn = flushLsn;
      lastFlushMicros = Math.max(lastFlushMicros, timeMicros);
    }
  }

  public synchronized Answer lsnAt(long timeMicros) {
    if (commits.isEmpty()) {
      return new Answer(Kind.NO_DATA, 0, 0);
    }
    if (timeMicros > lastFlushMicros && timeMicros > commits.lastKey()) {
      return new Answer(Kind.FUTURE, Lsn.max(lastFlushLsn, commits.lastEntry().getValue()), 0);
    }
    Map.Entry<Long, Long> at = commits.floorEntry(timeMicros);
    if (at == null) {
      return new Answer(Kind.PAST, commits.firstEntry().getValue(), 0);
    }
    return new Answer(Kind.PRESENT, at.getValue(), at.getKey());
  }
}
