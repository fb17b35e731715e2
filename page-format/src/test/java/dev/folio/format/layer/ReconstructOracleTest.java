package dev.folio.format.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.redo.RedoException;
import dev.folio.format.testing.LayerSet;
import dev.folio.format.testing.WalGenerator;
import dev.folio.format.wal.WalRecords;
import dev.folio.schemas.wal.WalRecord;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * (b) For random WAL over random pages, the page that reconstruction builds from delta and image
 * layers at any LSN equals folding every record of that page up to that LSN directly.
 */
class ReconstructOracleTest {

  @Property(tries = 60)
  void reconstructionEqualsTheFold(@ForAll long seed, @ForAll @IntRange(min = 1, max = 8) int segments,
      @ForAll @IntRange(min = 1, max = 3) int subtasks) throws IOException {
    Random random = new Random(seed);
    TimelineId timeline = TimelineId.generate();
    WalGenerator wal = new WalGenerator(random, timeline, 4, 3);
    List<WalRecord> log = wal.next(100 + random.nextInt(300));

    try (LayerSet layers = LayerSet.materialized(random, timeline, wal.keys(), log, segments, subtasks, 3)) {
      LayerMap map = layers.map();
      long last = log.get(log.size() - 1).getLsn();
      for (int probe = 0; probe < 150; probe++) {
        PageKey key = wal.keys().get(random.nextInt(wal.keys().size()));
        long lsn = random.nextInt(4) == 0 ? log.get(random.nextInt(log.size())).getLsn()
            : 1 + (long) (random.nextDouble() * (last + 100));
        assertThat(PageReconstructor.pageAt(map, key, lsn)).as("%s at %s", key, Lsn.format(lsn))
            .isEqualTo(LayerSet.fold(log, key, lsn));
      }
    }
  }

  /** (e) A page whose history in the layers starts with neither an image nor will_init is refused. */
  @Property(tries = 30)
  void aHistoryWithoutBaseIsAClearError(@ForAll long seed) throws IOException {
    Random random = new Random(seed);
    TimelineId timeline = TimelineId.generate();
    WalGenerator wal = new WalGenerator(random, timeline, 2, 1);
    List<WalRecord> log = wal.next(200);
    int cut = 40;
    try (LayerSet layers = new LayerSet()) {
      // The first 40 records (every page's first will_init among them) are lost.
      layers.delta(timeline, log.subList(cut, log.size()), log.get(cut).getLsn(), log.get(log.size() - 1).getLsn() + 1);
      LayerMap map = layers.map();
      int refused = 0;
      for (PageKey key : wal.keys()) {
        List<WalRecord> kept = log.subList(cut, log.size()).stream().filter(r -> WalRecords.key(r).equals(key)).toList();
        long lastLsn = log.get(log.size() - 1).getLsn();
        if (!kept.isEmpty() && kept.stream().noneMatch(WalRecord::getWillInit)) {
          assertThatThrownBy(() -> PageReconstructor.pageAt(map, key, lastLsn))
              .isInstanceOfSatisfying(RedoException.class,
                  e -> assertThat(e.reason()).isEqualTo(RedoException.Reason.NO_BASE))
              .hasMessageContaining(key.toString());
          refused++;
        }
      }
      assertThat(refused).as("pages whose base was cut off").isPositive();
    }
  }
}
