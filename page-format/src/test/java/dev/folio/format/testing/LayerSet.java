package dev.folio.format.testing;

import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.layer.DeltaLayer;
import dev.folio.format.layer.FileLayerSource;
import dev.folio.format.layer.ImageLayer;
import dev.folio.format.layer.LayerDescriptor;
import dev.folio.format.layer.LayerMap;
import dev.folio.format.page.Page;
import dev.folio.format.redo.Redo;
import dev.folio.format.wal.WalRecords;
import dev.folio.schemas.wal.WalRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Layers as the materializer makes them, in a temporary folder: per segment of the log, delta
 * layers (one per "subtask"), and image layers of some pages (sparse: a layer's key range is not
 * its key set).
 */
public final class LayerSet implements AutoCloseable {
  private final Path dir;
  public final List<DeltaLayer> deltas = new ArrayList<>();
  public final List<ImageLayer> images = new ArrayList<>();
  private int generation;

  public LayerSet() throws IOException {
    dir = Files.createTempDirectory("layers");
  }

  public void delta(TimelineId timeline, List<WalRecord> records, long lsnStart, long lsnEnd) throws IOException {
    if (records.isEmpty()) {
      return;
    }
    List<WalRecord> sorted = new ArrayList<>(records);
    sorted.sort(Comparator.comparing(WalRecords::key).thenComparing(r -> Lsn.of(r.getLsn())));
    String gen = "g" + generation++;
    Path file = dir.resolve(gen);
    LayerDescriptor d;
    try (DeltaLayer.Writer w = new DeltaLayer.Writer(file, timeline, lsnStart, lsnEnd, gen, 512)) {
      for (WalRecord r : sorted) {
        w.add(r);
      }
      d = w.finish();
    }
    deltas.add(DeltaLayer.open(d.name(), new FileLayerSource(file)));
  }

  public void image(TimelineId timeline, List<WalRecord> log, List<PageKey> keys, long lsn) throws IOException {
    String gen = "g" + generation++;
    Path file = dir.resolve(gen);
    LayerDescriptor d = null;
    try (ImageLayer.Writer w = new ImageLayer.Writer(file, timeline, lsn, gen)) {
      for (PageKey key : keys.stream().sorted().toList()) {
        Optional<Page> page = fold(log, key, lsn);
        if (page.isPresent()) {
          w.add(key, page.get());
        }
      }
      if (w.entries() > 0) {
        d = w.finish();
      }
    }
    if (d != null) {
      images.add(ImageLayer.open(d.name(), new FileLayerSource(file)));
    }
  }

  public LayerMap map() {
    return new LayerMap(images, deltas);
  }

  @Override
  public void close() throws IOException {
    for (DeltaLayer d : deltas) {
      d.close();
    }
    for (ImageLayer i : images) {
      i.close();
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    Files.delete(dir);
  }

  /**
   * The log cut into {@code segments} at random, as checkpoints cut it: per segment a delta layer
   * per "subtask" (pages spread by hash), and with odds one in {@code imageOdds} an image layer of
   * about two thirds of the pages.
   */
  public static LayerSet materialized(Random random, TimelineId timeline, List<PageKey> keys, List<WalRecord> log,
      int segments, int subtasks, int imageOdds) throws IOException {
    LayerSet layers = new LayerSet();
    long start = 1;
    int from = 0;
    for (int s = 0; s < segments; s++) {
      int to = s == segments - 1 ? log.size() : Math.min(log.size(), from + random.nextInt(2 * log.size() / segments + 1));
      long end = to == log.size() ? log.get(log.size() - 1).getLsn() + 1 : log.get(to).getLsn();
      List<List<WalRecord>> bySubtask = new ArrayList<>();
      for (int t = 0; t < subtasks; t++) {
        bySubtask.add(new ArrayList<>());
      }
      for (WalRecord r : log.subList(from, to)) {
        bySubtask.get(Math.floorMod(WalRecords.key(r).hashCode(), subtasks)).add(r);
      }
      for (List<WalRecord> part : bySubtask) {
        layers.delta(timeline, part, start, end);
      }
      if (random.nextInt(imageOdds) == 0) {
        List<PageKey> some = keys.stream().filter(k -> random.nextInt(3) > 0).toList();
        layers.image(timeline, log, some, end - 1);
      }
      start = end;
      from = to;
    }
    return layers;
  }

  /** The oracle: fold the page's records with lsn <= upTo, straight from the log. */
  public static Optional<Page> fold(List<WalRecord> log, PageKey key, long upTo) {
    List<WalRecord> mine = log.stream()
        .filter(r -> WalRecords.key(r).equals(key) && Lsn.compare(r.getLsn(), upTo) <= 0).toList();
    return mine.isEmpty() ? Optional.empty() : Optional.of(Redo.applyAll(null, mine));
  }
}
