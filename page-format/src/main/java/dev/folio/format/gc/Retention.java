package dev.folio.format.gc;

import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import dev.folio.format.layer.LayerFile;
import dev.folio.format.layer.LayerKind;
import dev.folio.format.layer.LayerName;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which layers of one timeline no read still needs. Needed reads are every LSN from the
 * {@code horizon} on (the PITR window and everything newer) and each LSN in {@code points} (where a
 * child timeline branched: the child reads its parent there forever).
 *
 * <p>The rule follows {@code LayerMap.collect} exactly, entry by entry, because layers are sparse
 * (an image layer holds some pages of its key range, not all): reading page {@code k} at LSN
 * {@code p} uses the image of {@code k} in the newest image layer at or before {@code p} that holds
 * it, then {@code k}'s records after that image's LSN up to {@code p}, from the newest will_init
 * record among them on if there is one (then the image is not used). An entry is needed if some
 * needed read uses it; a layer if any entry is. Every entry above the horizon is needed (a read at
 * its own LSN uses it), so for the interval it is enough to look at the horizon itself; below it,
 * only at the points. Ties are kept: several image layers at the same LSN holding {@code k} all
 * stay, and the records after the oldest of their images.
 */
public final class Retention {
  private Retention() {}

  /** A layer as retention sees it: its name, and each entry's page, LSN (an image's: its page's) and will_init. */
  public record Contents(LayerName name, List<Entry> entries) {}

  /** One entry of a layer. */
  public record Entry(PageKey key, long lsn, boolean willInit) {}

  /**
   * Whether a layer needs deciding: one that starts above the horizon is needed, and no read at or
   * below the horizon sees anything of it, so the others can be decided without reading it.
   */
  public static boolean undecided(LayerName name, long horizon) {
    return Lsn.compare(name.lsnStart(), horizon) <= 0;
  }

  /** Reads a layer's entries (the values are read and dropped). */
  public static Contents read(LayerName name, LayerFile file) throws IOException {
    List<Entry> entries = new ArrayList<>();
    file.scan(e -> entries.add(new Entry(e.key(), e.lsn(), e.willInit())));
    return new Contents(name, entries);
  }

  private record Image(long layerLsn, long pageLsn, LayerName layer) {}

  private record Delta(long lsn, boolean willInit, LayerName layer) {}

  /**
   * The layers among {@code layers} that no read at a needed LSN uses; {@code layers} holds at
   * least every layer {@link #undecided} names.
   */
  public static Set<LayerName> unneeded(Collection<Contents> layers, long horizon, Collection<Long> points) {
    Map<PageKey, List<Image>> images = new HashMap<>();
    Map<PageKey, List<Delta>> deltas = new HashMap<>();
    Set<LayerName> needed = new HashSet<>();
    for (Contents c : layers) {
      boolean image = c.name().kind() == LayerKind.IMAGE;
      for (Entry e : c.entries()) {
        if (image) {
          images.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(new Image(c.name().lsn(), e.lsn(), c.name()));
          if (Lsn.compare(c.name().lsn(), horizon) > 0) {
            needed.add(c.name());
          }
        } else {
          deltas.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(new Delta(e.lsn(), e.willInit(), c.name()));
          if (Lsn.compare(e.lsn(), horizon) > 0) {
            needed.add(c.name());
          }
        }
      }
    }
    TreeSet<Long> reads = new TreeSet<>(Long::compareUnsigned);
    reads.add(horizon);
    for (long p : points) {
      if (Lsn.compare(p, horizon) < 0) {
        reads.add(p);
      }
    }
    Set<PageKey> keys = new HashSet<>(images.keySet());
    keys.addAll(deltas.keySet());
    for (PageKey key : keys) {
      for (long p : reads) {
        used(images.getOrDefault(key, List.of()), deltas.getOrDefault(key, List.of()), p, needed);
      }
    }
    Set<LayerName> unneeded = new HashSet<>();
    for (Contents c : layers) {
      if (!needed.contains(c.name())) {
        unneeded.add(c.name());
      }
    }
    return unneeded;
  }

  /** Adds to {@code needed} the layers whose entries a read of one page at {@code p} uses. */
  private static void used(List<Image> images, List<Delta> deltas, long p, Set<LayerName> needed) {
    long newest = 0;
    boolean any = false;
    for (Image i : images) {
      if (Lsn.compare(i.layerLsn(), p) <= 0 && (!any || Lsn.compare(i.layerLsn(), newest) > 0)) {
        newest = i.layerLsn();
        any = true;
      }
    }
    List<Image> chosen = new ArrayList<>();
    long floor = 0;
    for (Image i : images) {
      if (any && i.layerLsn() == newest) {
        floor = chosen.isEmpty() ? i.pageLsn() : Lsn.min(floor, i.pageLsn());
        chosen.add(i);
      }
    }
    long willInit = 0;
    boolean init = false;
    for (Delta d : deltas) {
      if (Lsn.compare(d.lsn(), floor) > 0 && Lsn.compare(d.lsn(), p) <= 0 && d.willInit()
          && (!init || Lsn.compare(d.lsn(), willInit) > 0)) {
        willInit = d.lsn();
        init = true;
      }
    }
    long from = init ? willInit : floor;
    for (Delta d : deltas) {
      boolean after = init ? Lsn.compare(d.lsn(), from) >= 0 : Lsn.compare(d.lsn(), from) > 0;
      if (after && Lsn.compare(d.lsn(), p) <= 0) {
        needed.add(d.layer());
      }
    }
    if (!init) {
      chosen.forEach(i -> needed.add(i.layer()));
    }
  }
}
