package dev.folio.format.layer;

import dev.folio.format.FormatException;
import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import dev.folio.format.page.Page;
import dev.folio.schemas.wal.WalRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The open layers of one timeline, and the search that finds what rebuilding a page needs: the
 * newest image at or before the LSN, then the delta records after it, newest layers first,
 * stopping at the first will_init record met, since nothing older matters (as Neon's layer map
 * does). Layers may overlap in keys and LSNs (the materializer's subtasks each write their own);
 * they may not hold the same record twice.
 */
public final class LayerMap {
  private final List<ImageLayer> images;
  private final List<DeltaLayer> deltas;

  public LayerMap(Collection<ImageLayer> images, Collection<DeltaLayer> deltas) {
    this.images = new ArrayList<>(images);
    this.images.sort(Comparator.comparing((ImageLayer l) -> Lsn.of(l.lsn())).reversed());
    this.deltas = new ArrayList<>(deltas);
    this.deltas.sort(Comparator.comparing((DeltaLayer l) -> Lsn.of(l.name().lsnEnd())).reversed());
  }

  /** What rebuilding one page at one LSN starts from. */
  public record Inputs(Page image, List<WalRecord> records) {
    /** Nothing at all was written to the page up to the LSN. */
    public boolean isEmpty() {
      return image == null && records.isEmpty();
    }
  }

  /**
   * Finds the newest image of {@code key} at or before {@code lsn} and the records in (image LSN,
   * lsn], in LSN order, starting at the newest will_init record if there is one after the image.
   */
  public Inputs collect(PageKey key, long lsn) throws IOException {
    Page image = null;
    long floor = 0;
    for (ImageLayer layer : images) {
      if (Lsn.compare(layer.lsn(), lsn) <= 0 && covers(layer.name(), key)) {
        Optional<Page> found = layer.image(key);
        if (found.isPresent()) {
          image = found.get();
          floor = image.lsnValue();
          break;
        }
      }
    }
    List<WalRecord> records = new ArrayList<>();
    long willInit = 0;
    for (DeltaLayer layer : deltas) {
      LayerName name = layer.name();
      // Sorted by end LSN, newest first: once a layer ends at or below the floor, all the rest do.
      if (Lsn.compare(name.lsnEnd() - 1, Lsn.max(floor, willInit)) <= 0) {
        break;
      }
      if (Lsn.compare(name.lsnStart(), lsn) > 0 || !covers(name, key)) {
        continue;
      }
      for (WalRecord r : layer.records(key, Lsn.max(floor, willInit), lsn)) {
        records.add(r);
        if (r.getWillInit() && Lsn.compare(r.getLsn(), willInit) > 0) {
          willInit = r.getLsn();
        }
      }
    }
    records.sort((a, b) -> Lsn.compare(a.getLsn(), b.getLsn()));
    int start = 0;
    for (int i = 0; i < records.size(); i++) {
      if (i > 0 && records.get(i).getLsn() == records.get(i - 1).getLsn()) {
        throw new FormatException("LAYER_OVERLAP", "two layers hold the record of " + key + " at "
            + Lsn.format(records.get(i).getLsn()));
      }
      if (records.get(i).getLsn() == willInit && willInit != 0) {
        start = i;
      }
    }
    if (willInit != 0) {
      return new Inputs(null, List.copyOf(records.subList(start, records.size())));
    }
    return new Inputs(image, List.copyOf(records));
  }

  private static boolean covers(LayerName name, PageKey key) {
    return key.compareTo(name.firstKey()) >= 0 && key.compareTo(name.lastKey()) <= 0;
  }
}
