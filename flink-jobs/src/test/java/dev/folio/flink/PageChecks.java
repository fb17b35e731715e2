package dev.folio.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.index.TimelineIndex;
import dev.folio.format.layer.LayerMap;
import dev.folio.format.layer.PageReconstructor;
import dev.folio.format.wal.WalRecords;
import dev.folio.schemas.wal.WalRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** Checks of what the materializer committed against the oracle. */
public final class PageChecks {
  private PageChecks() {}

  /**
   * For every committed index of the timeline, every page version that index made visible (each
   * LSN at which a page changed, above the previous index's consistent LSN), and every page at the
   * index's consistent LSN, rebuilt from the layers the index lists, equals the oracle's fold.
   * Returns how many pages were compared.
   */
  public static int everyVersionMatches(S3Timelines s3, WalWorkload workload, TimelineId timeline) {
    int compared = 0;
    long previous = 0;
    for (TimelineIndex index : s3.indexes(timeline)) {
      LayerMap layers = s3.layers(index);
      long consistent = index.consistentLsn();
      long after = previous;
      for (PageKey key : workload.keys(timeline)) {
        List<Long> versions = workload.committed(timeline).stream()
            .filter(r -> WalRecords.key(r).equals(key))
            .map(WalRecord::getLsn)
            .filter(l -> Lsn.compare(l, after) > 0 && Lsn.compare(l, consistent) <= 0)
            .toList();
        for (long lsn : versions) {
          compared += check(layers, workload, timeline, key, lsn);
        }
        compared += check(layers, workload, timeline, key, consistent);
      }
      previous = consistent;
    }
    return compared;
  }

  private static int check(LayerMap layers, WalWorkload workload, TimelineId timeline, PageKey key, long lsn) {
    try {
      assertThat(PageReconstructor.pageAt(layers, key, lsn)).as("%s %s at %s", timeline, key, Lsn.format(lsn))
          .isEqualTo(workload.fold(timeline, key, lsn));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return 1;
  }
}
