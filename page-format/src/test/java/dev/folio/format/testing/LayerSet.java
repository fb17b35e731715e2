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

  /** The oracle: fold the page's records with lsn <= upTo, straight from the log. */
  public static Optional<Page> fold(List<WalRecord> log, PageKey key, long upTo) {
    List<WalRecord> mine = log.stream()
        .filter(r -> WalRecords.key(r).equals(key) && Lsn.compare(r.getLsn(), upTo) <= 0).toList();
    return mine.isEmpty() ? Optional.empty() : Optional.of(Redo.applyAll(null, mine));
  }
}
