package dev.folio.format.gc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.layer.DeltaLayer;
import dev.folio.format.layer.ImageLayer;
import dev.folio.format.layer.LayerMap;
import dev.folio.format.layer.LayerName;
import dev.folio.format.layer.PageReconstructor;
import dev.folio.format.testing.LayerSet;
import dev.folio.format.testing.WalGenerator;
import dev.folio.schemas.wal.WalRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Garbage collection never takes a layer that a needed read uses: for random WAL folded into
 * sparse, overlapping layers as the materializer writes them, a random horizon (the PITR window's
 * start) and random branch points below it, every page read at the horizon, at each branch point
 * and at any LSN above the horizon is the same, byte for byte, from the layers kept as from all of
 * them. And it does take something: with images above old history, old layers go.
 */
class RetentionPropertiesTest {

  @Property(tries = 80)
  void readsInTheWindowAndAtBranchPointsAreUnchanged(@ForAll long seed,
      @ForAll @IntRange(min = 2, max = 10) int segments, @ForAll @IntRange(min = 1, max = 3) int subtasks,
      @ForAll @IntRange(min = 0, max = 4) int branchPoints) throws IOException {
    Random random = new Random(seed);
    TimelineId timeline = TimelineId.generate();
    WalGenerator wal = new WalGenerator(random, timeline, 4, 3);
    List<WalRecord> log = wal.next(150 + random.nextInt(300));
    try (LayerSet layers = LayerSet.materialized(random, timeline, wal.keys(), log, segments, subtasks, 2)) {
      long last = log.get(log.size() - 1).getLsn();
      long horizon = log.get(random.nextInt(log.size())).getLsn() + (random.nextBoolean() ? 0 : 1);
      List<Long> points = new ArrayList<>();
      for (int i = 0; i < branchPoints; i++) {
        points.add(1 + (long) (random.nextDouble() * horizon));
      }
      LayerMap all = layers.map();
      // As garbage collection asks: about the layers not plainly needed.
      List<Retention.Contents> undecided = contents(layers).stream()
          .filter(c -> Retention.undecided(c.name(), horizon)).toList();
      LayerMap kept = kept(layers, Retention.unneeded(undecided, horizon, points));

      List<Long> reads = new ArrayList<>(points);
      reads.add(horizon);
      reads.add(last);
      for (int i = 0; i < 20; i++) {
        reads.add(horizon + (long) (random.nextDouble() * (last - horizon + 50)));
      }
      for (long p : reads) {
        for (PageKey key : wal.keys()) {
          assertThat(PageReconstructor.pageAt(kept, key, p)).as("%s at %s (horizon %s)", key, Lsn.format(p),
              Lsn.format(horizon)).isEqualTo(PageReconstructor.pageAt(all, key, p));
        }
      }
    }
  }

  @Example
  void oldHistoryBelowNewerImagesGoes() throws IOException {
    Random random = new Random(7);
    TimelineId timeline = TimelineId.generate();
    WalGenerator wal = new WalGenerator(random, timeline, 3, 2);
    List<WalRecord> log = wal.next(400);
    try (LayerSet layers = new LayerSet()) {
      int half = log.size() / 2;
      long middle = log.get(half).getLsn();
      layers.delta(timeline, log.subList(0, half), 1, middle);
      layers.image(timeline, log, wal.keys(), middle - 1);
      layers.delta(timeline, log.subList(half, log.size()), middle, log.get(log.size() - 1).getLsn() + 1);
      Set<LayerName> unneeded = Retention.unneeded(contents(layers), log.get(log.size() - 1).getLsn(), List.of());
      assertThat(unneeded).containsExactly(layers.deltas.get(0).name());
      // A branch point inside the old history keeps it.
      assertThat(Retention.unneeded(contents(layers), log.get(log.size() - 1).getLsn(),
          List.of(log.get(half / 2).getLsn()))).isEmpty();
    }
  }

  private static List<Retention.Contents> contents(LayerSet layers) throws IOException {
    List<Retention.Contents> out = new ArrayList<>();
    for (DeltaLayer d : layers.deltas) {
      out.add(Retention.read(d.name(), d.file()));
    }
    for (ImageLayer i : layers.images) {
      out.add(Retention.read(i.name(), i.file()));
    }
    return out;
  }

  private static LayerMap kept(LayerSet layers, Set<LayerName> unneeded) {
    return new LayerMap(layers.images.stream().filter(i -> !unneeded.contains(i.name())).toList(),
        layers.deltas.stream().filter(d -> !unneeded.contains(d.name())).toList());
  }
}
