package dev.folio.format.bench;

import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.layer.DeltaLayer;
import dev.folio.format.layer.FileLayerSource;
import dev.folio.format.layer.ImageLayer;
import dev.folio.format.layer.LayerDescriptor;
import dev.folio.format.layer.LayerMap;
import dev.folio.format.layer.PageReconstructor;
import dev.folio.format.page.Page;
import dev.folio.format.redo.Redo;
import dev.folio.format.wal.WalRecords;
import dev.folio.schemas.wal.Fork;
import dev.folio.schemas.wal.HeapInsert;
import dev.folio.schemas.wal.HeapPageInit;
import dev.folio.schemas.wal.WalRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Reconstruction of random pages at random LSNs from layer files on local disk: heap pages that
 * each receive {@code rounds} x 16 inserts, a delta layer per 16 (one per "checkpoint") and an
 * image layer of every page after each, so a page is its newest image plus 0 to 16 deltas. The
 * reference folds the same image and records from memory, to show what the layers cost on top
 * of redo. Run by {@code folio bench layers}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LayersBenchmark {
  static final int DELTAS_PER_IMAGE = 16;

  @Param("2000")
  public int pages;

  @Param("3")
  public int rounds;

  private Path dir;
  private final List<DeltaLayer> deltas = new ArrayList<>();
  private final List<ImageLayer> images = new ArrayList<>();
  private LayerMap map;
  private PageKey[] keys;
  private WalRecord[][] history;
  private Page[][] imagesInMemory;
  private long lastLsn;

  @Setup(Level.Trial)
  public void setup() throws IOException {
    dir = Files.createTempDirectory("folio-bench-layers");
    TimelineId timeline = new TimelineId(1, 2);
    SplittableRandom random = new SplittableRandom(7);
    keys = new PageKey[pages];
    history = new WalRecord[pages][rounds * DELTAS_PER_IMAGE + 1];
    imagesInMemory = new Page[pages][rounds];
    Page[] current = new Page[pages];
    long lsn = 0x100;
    for (int p = 0; p < pages; p++) {
      keys[p] = new PageKey(1, 16384, Fork.MAIN, p);
      lsn += 64;
      history[p][0] = WalRecords.of(timeline, lsn, 0, keys[p], new HeapPageInit());
      current[p] = Redo.apply(null, history[p][0]);
    }
    for (int round = 0; round < rounds; round++) {
      long start = round == 0 ? 1 : lsn + 1;
      for (int step = 1; step <= DELTAS_PER_IMAGE; step++) {
        for (int p = 0; p < pages; p++) {
          byte[] row = new byte[80 + random.nextInt(40)];
          random.nextBytes(row);
          lsn += row.length + 40;
          WalRecord r = WalRecords.of(timeline, lsn, lsn, keys[p],
              new HeapInsert(current[p].itemCount() + 1, 0, ByteBuffer.wrap(row)));
          history[p][round * DELTAS_PER_IMAGE + step] = r;
          current[p] = Redo.apply(current[p], r);
        }
      }
      String gen = "r" + round;
      Path deltaFile = dir.resolve(gen + ".delta");
      LayerDescriptor delta;
      try (DeltaLayer.Writer w = new DeltaLayer.Writer(deltaFile, timeline, start, lsn + 1, gen)) {
        for (int p = 0; p < pages; p++) {
          int from = round == 0 ? 0 : round * DELTAS_PER_IMAGE + 1;
          for (int i = from; i <= (round + 1) * DELTAS_PER_IMAGE; i++) {
            w.add(history[p][i]);
          }
        }
        delta = w.finish();
      }
      deltas.add(DeltaLayer.open(delta.name(), new FileLayerSource(deltaFile)));
      if (round < rounds - 1) {
        Path imageFile = dir.resolve(gen + ".image");
        LayerDescriptor image;
        try (ImageLayer.Writer w = new ImageLayer.Writer(imageFile, timeline, lsn, gen)) {
          for (int p = 0; p < pages; p++) {
            w.add(keys[p], current[p]);
            imagesInMemory[p][round] = current[p];
          }
          image = w.finish();
        }
        images.add(ImageLayer.open(image.name(), new FileLayerSource(imageFile)));
      }
    }
    lastLsn = lsn;
    map = new LayerMap(images, deltas);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    for (DeltaLayer d : deltas) {
      d.close();
    }
    for (ImageLayer i : images) {
      i.close();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }

  /** Per thread: which page and LSN to ask for next. */
  @State(Scope.Thread)
  public static class Probe {
    private final SplittableRandom random = new SplittableRandom();

    int page(int pages) {
      return random.nextInt(pages);
    }

    long lsn(long first, long last) {
      return first + random.nextLong(last - first + 1);
    }
  }

  @Benchmark
  public Page reconstructFromLayers(Probe probe) throws IOException {
    int p = probe.page(pages);
    long lsn = probe.lsn(history[p][0].getLsn(), lastLsn);
    return PageReconstructor.pageAt(map, keys[p], lsn).orElseThrow();
  }

  /** The same image and records, already in memory: redo alone. */
  @Benchmark
  public Page foldInMemory(Probe probe) {
    int p = probe.page(pages);
    long lsn = probe.lsn(history[p][0].getLsn(), lastLsn);
    WalRecord[] h = history[p];
    int last = 0;
    while (last + 1 < h.length && Lsn.compare(h[last + 1].getLsn(), lsn) <= 0) {
      last++;
    }
    // The newest image at or before record `last`: the one after round r holds records 0..16(r+1).
    int r = Math.min(last / DELTAS_PER_IMAGE, rounds - 1) - 1;
    Page image = r >= 0 ? imagesInMemory[p][r] : null;
    List<WalRecord> deltas = List.of(h).subList(r >= 0 ? (r + 1) * DELTAS_PER_IMAGE + 1 : 0, last + 1);
    return deltas.isEmpty() ? image : Redo.applyAll(image, deltas);
  }
}
