package dev.folio.flink.gc;

import dev.folio.flink.storage.ObjectStore;
import dev.folio.format.Lsn;
import dev.folio.format.TimelineId;
import dev.folio.format.gc.Retention;
import dev.folio.format.index.TimelineIndex;
import dev.folio.format.layer.BytesLayerSource;
import dev.folio.format.layer.LayerDescriptor;
import dev.folio.format.layer.LayerFile;
import dev.folio.format.layer.LayerName;
import dev.folio.format.layout.StorageLayout;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Garbage collection of one tenant's layers, run by the index committer (the one writer of
 * indexes) every so often. A pass:
 *
 * <ol>
 *   <li>finds what reads remain possible: every named branch's timeline from its horizon on (the
 *       consistent LSN of its newest index written at or before now minus the PITR window: the
 *       history of the window, and everything newer), and every timeline a needed timeline
 *       branched from, at its branch point;
 *   <li>plans, per timeline, the layers none of those reads uses ({@link Retention}); the committer
 *       writes the timeline's next index without them and with {@code retainedFromLsn} set to the
 *       horizon, below which the page service refuses reads;
 *   <li>deletes layer files that no index written within the grace period lists (readers hold an
 *       index for less than that): those it planned to drop a grace period ago or more, and others
 *       (a failed attempt's, or a drop planned before a restart) once written an hour ago or more,
 *       which no checkpoint's upload in flight is;
 *   <li>deletes whole timelines (layers, indexes, WAL archive) that no branch needs and that
 *       nothing wrote to for a PITR window.
 * </ol>
 *
 * The WAL archive of a needed timeline is kept whole: it is the log a replay rebuilds from. A
 * branch made while a pass runs, at a point below a horizon the pass chose, cancels that
 * timeline's plan (the pass looks for new timelines before it returns).
 */
public final class GarbageCollector {
  private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);

  /**
   * @param window how far back reads stay possible (Neon's PITR interval)
   * @param interval time between passes
   * @param grace how long a layer no index lists any more, or one not yet listed, is left alone
   */
  public record Settings(Duration window, Duration interval, Duration grace) implements Serializable {
    public Settings {
      if (window.isNegative() || window.isZero() || interval.isNegative() || interval.isZero() || grace.isNegative()) {
        throw new IllegalArgumentException("the PITR window and the interval between passes must be positive, and "
            + "the grace period not negative (window " + window + ", interval " + interval + ", grace " + grace + ")");
      }
    }

    public static final Settings DEFAULT = new Settings(Duration.ofDays(7), Duration.ofMinutes(10),
        Duration.ofMinutes(10));
  }

  /** What the next index of a timeline leaves out, and the horizon it was planned for. */
  public record Drop(long horizon, Set<String> layers) {}

  /** What a pass found and did. */
  public record Pass(Map<TimelineId, Drop> drops, int filesDeleted, long bytesDeleted, List<TimelineId> timelinesDeleted) {}

  private final StorageLayout layout;
  private final Settings settings;
  /**
   * Layers are immutable: what one holds is read once and kept while listed (about 50 bytes an
   * entry, for the layers at or below a horizon).
   */
  private final Map<String, Retention.Contents> contents = new HashMap<>();
  /** Layers this collector planned to drop, and when. */
  private final Map<String, Instant> dropped = new HashMap<>();
  /** An unlisted layer this collector did not drop is an orphan once this old. */
  static final Duration ORPHAN_AGE = Duration.ofHours(1);

  public GarbageCollector(StorageLayout layout, Settings settings) {
    this.layout = layout;
    this.settings = settings;
  }

  public Settings settings() {
    return settings;
  }

  public Pass run(Instant now) throws IOException {
    Map<TimelineId, String> names = names();
    Map<TimelineId, Timeline> timelines = timelines();
    Set<TimelineId> needed = new HashSet<>();
    Map<TimelineId, List<Long>> points = new HashMap<>();
    for (TimelineId named : names.keySet()) {
      for (TimelineId t = named; t != null && timelines.containsKey(t) && needed.add(t); ) {
        TimelineIndex.Ancestor ancestor = timelines.get(t).newest().ancestor();
        t = ancestor == null ? null : ancestor.timeline();
      }
    }
    for (TimelineId t : needed) {
      TimelineIndex.Ancestor ancestor = timelines.get(t).newest().ancestor();
      if (ancestor != null) {
        points.computeIfAbsent(ancestor.timeline(), a -> new ArrayList<>()).add(ancestor.lsn());
      }
    }
    Map<TimelineId, Drop> drops = new HashMap<>();
    int deleted = 0;
    long bytes = 0;
    for (TimelineId t : needed) {
      Timeline timeline = timelines.get(t);
      List<Long> at = points.getOrDefault(t, List.of());
      long horizon = names.containsKey(t) ? horizon(timeline, now)
          : at.stream().reduce(0L, Lsn::max);
      horizon = Lsn.max(horizon, timeline.newest().retainedFromLsn());
      List<Retention.Contents> layers = new ArrayList<>();
      for (LayerDescriptor d : timeline.newest().layers()) {
        if (Retention.undecided(d.name(), horizon)) {
          layers.add(contents(t, d));
        }
      }
      Set<LayerName> unneeded = Retention.unneeded(layers, horizon, at);
      if (!unneeded.isEmpty()) {
        drops.put(t, new Drop(horizon, unneeded.stream().map(LayerName::toString).collect(Collectors.toSet())));
        unneeded.forEach(n -> dropped.putIfAbsent(layout.layer(t, n), now));
      }
      long[] swept = sweep(timeline, now);
      deleted += (int) swept[0];
      bytes += swept[1];
    }
    contents.keySet().retainAll(timelines.values().stream()
        .flatMap(x -> x.newest().layers().stream().map(d -> layout.layer(x.id(), d.name())))
        .collect(Collectors.toSet()));
    List<TimelineId> gone = new ArrayList<>();
    for (Timeline timeline : timelines.values()) {
      if (!needed.contains(timeline.id())
          && timeline.newest().createdAt().isBefore(now.minus(settings.window()))) {
        ObjectStore.delete(layout.timeline(timeline.id()), true);
        ObjectStore.delete(layout.walArchive(timeline.id()), true);
        gone.add(timeline.id());
        LOG.info("Garbage collection deleted timeline {}: no branch needs it and nothing wrote to it since {}",
            timeline.id(), timeline.newest().createdAt());
      }
    }
    // A branch made while this pass ran, below a horizon it chose, keeps its parent's layers.
    for (Map.Entry<TimelineId, Timeline> fresh : timelines().entrySet()) {
      TimelineIndex.Ancestor ancestor = fresh.getValue().newest().ancestor();
      Drop drop = ancestor == null || timelines.containsKey(fresh.getKey()) ? null : drops.get(ancestor.timeline());
      if (drop != null && Lsn.compare(ancestor.lsn(), drop.horizon()) < 0) {
        drops.remove(ancestor.timeline());
      }
    }
    return new Pass(drops, deleted, bytes, gone);
  }

  private record Timeline(TimelineId id, List<String> indexNames, TimelineIndex newest) {}

  /** Branch names: timeline to name. */
  private Map<TimelineId, String> names() throws IOException {
    Map<TimelineId, String> names = new HashMap<>();
    for (String name : ObjectStore.list(layout.branches())) {
      byte[] id = ObjectStore.readIfExists(layout.branches() + name);
      if (id != null) {
        try {
          names.put(TimelineId.parse(new String(id, StandardCharsets.UTF_8).strip()), name);
        } catch (IllegalArgumentException e) {
          LOG.warn("Branch object {} does not hold a timeline id; garbage collection ignores it", name);
        }
      }
    }
    return names;
  }

  /** Every timeline with an index (one without is a replay still writing, or a failed one: left alone). */
  private Map<TimelineId, Timeline> timelines() throws IOException {
    Map<TimelineId, Timeline> out = new HashMap<>();
    for (String dir : ObjectStore.list(layout.timelines())) {
      TimelineId id;
      try {
        id = TimelineId.parse(dir);
      } catch (IllegalArgumentException e) {
        continue;
      }
      List<String> names = ObjectStore.list(layout.indexDirectory(id)).stream().filter(n -> n.endsWith(".json"))
          .sorted().toList();
      if (!names.isEmpty()) {
        out.put(id, new Timeline(id, names, index(id, names.get(names.size() - 1))));
      }
    }
    return out;
  }

  private TimelineIndex index(TimelineId timeline, String name) throws IOException {
    String path = layout.indexDirectory(timeline) + name;
    byte[] json = ObjectStore.readIfExists(path);
    if (json == null) {
      throw new IOException("index " + path + " was listed and is gone");
    }
    return TimelineIndex.fromJson(path, json);
  }

  /** The consistent LSN of the newest index written at or before now minus the window; 0 if none was. */
  private long horizon(Timeline timeline, Instant now) throws IOException {
    Instant cutoff = now.minus(settings.window());
    int low = 0;
    int high = timeline.indexNames().size() - 1;
    TimelineIndex found = null;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      TimelineIndex index = index(timeline.id(), timeline.indexNames().get(mid));
      if (!index.createdAt().isAfter(cutoff)) {
        found = index;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found == null ? 0 : found.consistentLsn();
  }

  private Retention.Contents contents(TimelineId timeline, LayerDescriptor d) throws IOException {
    String path = layout.layer(timeline, d.name());
    Retention.Contents known = contents.get(path);
    if (known == null) {
      byte[] bytes = ObjectStore.readIfExists(path);
      if (bytes == null) {
        throw new IOException("layer " + path + " is listed by the newest index and missing");
      }
      try (LayerFile file = LayerFile.open(new BytesLayerSource(path, bytes))) {
        known = Retention.read(d.name(), file);
      }
      contents.put(path, known);
    }
    return known;
  }

  /**
   * Deletes the timeline's layer files that no index written within the grace period (nor the
   * newest one before it) lists: dropped by this collector a grace period ago, or orphans. Returns
   * files and bytes deleted.
   */
  private long[] sweep(Timeline timeline, Instant now) throws IOException {
    Instant graceStart = now.minus(settings.grace());
    Set<String> listed = new HashSet<>();
    for (int i = timeline.indexNames().size() - 1; i >= 0; i--) {
      TimelineIndex index = i == timeline.indexNames().size() - 1 ? timeline.newest()
          : index(timeline.id(), timeline.indexNames().get(i));
      index.layers().forEach(d -> listed.add(d.name().toString()));
      if (!index.createdAt().isAfter(graceStart)) {
        break;
      }
    }
    long orphanBefore = now.minus(settings.grace().compareTo(ORPHAN_AGE) > 0 ? settings.grace() : ORPHAN_AGE)
        .toEpochMilli();
    long files = 0;
    long bytes = 0;
    for (ObjectStore.Entry e : ObjectStore.entries(layout.layers(timeline.id()))) {
      String path = layout.layers(timeline.id()) + e.name();
      Instant droppedAt = dropped.get(path);
      boolean due = droppedAt != null ? !droppedAt.isAfter(graceStart) : e.modifiedMillis() < orphanBefore;
      if (!e.directory() && !listed.contains(e.name()) && due) {
        ObjectStore.delete(path, false);
        dropped.remove(path);
        files++;
        bytes += e.sizeBytes();
        LOG.info("Garbage collection deleted layer {}", path);
      }
    }
    return new long[] {files, bytes};
  }
}
