package dev.folio.flink.materializer;

import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.schemas.wal.Fork;

/**
 * A page of a timeline: the key the job folds by, (timeline, database, relation, fork, block).
 * A Flink POJO with a value-based hash, as keyBy needs.
 */
public class PageRef {
  public long timelineHigh;
  public long timelineLow;
  public int database;
  public int relation;
  public int fork;
  public int block;

  public PageRef() {}

  public PageRef(long timelineHigh, long timelineLow, int database, int relation, int fork, int block) {
    this.timelineHigh = timelineHigh;
    this.timelineLow = timelineLow;
    this.database = database;
    this.relation = relation;
    this.fork = fork;
    this.block = block;
  }

  public TimelineId timeline() {
    return new TimelineId(timelineHigh, timelineLow);
  }

  public PageKey page() {
    return new PageKey(database, relation, Fork.values()[fork], block);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PageRef r && r.timelineHigh == timelineHigh && r.timelineLow == timelineLow
        && r.database == database && r.relation == relation && r.fork == fork && r.block == block;
  }

  @Override
  public int hashCode() {
    // Called for every record (key groups, the folder's cache): no boxing.
    long h = timelineHigh * 31 + timelineLow;
    h = h * 31 + database;
    h = h * 31 + relation;
    h = h * 31 + fork;
    h = h * 31 + block;
    return Long.hashCode(h);
  }

  @Override
  public String toString() {
    return timeline() + ":" + page();
  }
}
