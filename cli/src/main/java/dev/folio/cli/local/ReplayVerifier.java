package dev.folio.cli.local;

import dev.folio.compute.storage.PageSource;
import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.index.TimelineIndex;
import dev.folio.format.layer.BytesLayerSource;
import dev.folio.format.layer.LayerDescriptor;
import dev.folio.format.layer.LayerFile;
import dev.folio.format.layout.StorageLayout;
import dev.folio.format.page.Page;
import dev.folio.pageservice.storage.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * {@code replay --verify}: compares a replay's pages with the source branch's at the replay's LSN,
 * page by page. The pages compared are every page the replay rebuilt and every page the source's
 * layers hold a version of at or before that LSN (its ancestors' up to each branch point
 * included). Both sides are read through the page service, page by page (only the keys are held):
 * the source's from the materializer's layers and the log's tail, the replay's from its image
 * layers, as its computes will read them. Each difference is reported: a page one side lacks, or
 * the first byte where the two differ.
 */
final class ReplayVerifier {
  private ReplayVerifier() {}

  /** How many pages were compared, and every difference found. */
  record Report(long compared, List<String> differences) {}

  static Report compare(ObjectStore store, StorageLayout layout, PageSource source, TimelineId sourceTimeline,
      PageSource replay, TimelineId rebuilt, long lsn) {
    TreeSet<PageKey> keys = new TreeSet<>();
    for (LayerDescriptor d : index(store, layout, rebuilt).layers()) {
      scan(store, layout, rebuilt, d, e -> keys.add(e.key()));
    }
    TimelineId timeline = sourceTimeline;
    long upTo = lsn;
    while (timeline != null) {
      TimelineIndex index = index(store, layout, timeline);
      long limit = upTo;
      for (LayerDescriptor d : index.layers()) {
        if (Lsn.compare(d.name().lsnStart(), limit) <= 0) {
          scan(store, layout, timeline, d, e -> {
            if (Lsn.compare(e.lsn(), limit) <= 0) {
              keys.add(e.key());
            }
          });
        }
      }
      timeline = index.ancestor() == null ? null : index.ancestor().timeline();
      upTo = index.ancestor() == null ? 0 : index.ancestor().lsn();
    }
    List<String> differences = new ArrayList<>();
    for (PageKey key : keys) {
      Page expected = source.get(key, lsn, lsn);
      Page actual = replay.get(key, lsn, lsn);
      if (expected == null && actual == null) {
        continue;
      }
      if (actual == null) {
        differences.add(key + ": the branch has it at " + Lsn.format(expected.lsnValue()) + ", the replay does not");
      } else if (expected == null) {
        differences.add(key + ": the replay has it at " + Lsn.format(actual.lsnValue()) + ", the branch does not");
      } else {
        int at = Arrays.mismatch(expected.toByteArray(), actual.toByteArray());
        if (at >= 0) {
          differences.add(key + ": differs from byte " + at + " (branch page LSN " + Lsn.format(expected.lsnValue())
              + ", replay page LSN " + Lsn.format(actual.lsnValue()) + ")");
        }
      }
    }
    return new Report(keys.size(), differences);
  }

  private static TimelineIndex index(ObjectStore store, StorageLayout layout, TimelineId timeline) {
    TimelineIndex index = StoredBranches.newest(store, layout, timeline);
    if (index == null) {
      throw new IllegalStateException("timeline " + timeline + " has no index");
    }
    return index;
  }

  /** Reads a layer whole and hands each entry on. */
  private static void scan(ObjectStore store, StorageLayout layout, TimelineId timeline, LayerDescriptor d,
      LayerFile.EntryConsumer consumer) {
    String path = layout.layer(timeline, d.name());
    byte[] bytes = store.readIfExists(path);
    if (bytes == null) {
      throw new IllegalStateException("layer " + path + " is listed but missing");
    }
    try (LayerFile file = LayerFile.open(new BytesLayerSource(path, bytes))) {
      file.scan(consumer);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read layer " + path, e);
    }
  }
}
