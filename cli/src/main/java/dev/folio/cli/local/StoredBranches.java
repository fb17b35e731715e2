package dev.folio.cli.local;

import dev.folio.compute.gateway.BranchCatalog;
import dev.folio.format.TimelineId;
import dev.folio.format.index.TimelineIndex;
import dev.folio.format.layer.LayerDescriptor;
import dev.folio.format.layout.StorageLayout;
import dev.folio.pageservice.storage.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tenant's branches as they are kept in object storage: under {@code branches/}, one object
 * per branch, named for it, holding its timeline id. Storage bytes come from a timeline's newest
 * index: the layers it lists and the WAL archive files it lists.
 */
final class StoredBranches implements BranchCatalog {
  private final ObjectStore store;
  private final StorageLayout layout;

  StoredBranches(ObjectStore store, StorageLayout layout) {
    this.store = store;
    this.layout = layout;
  }

  @Override
  public Map<String, TimelineId> branches() {
    Map<String, TimelineId> out = new LinkedHashMap<>();
    for (String name : store.list(layout.branches())) {
      TimelineId timeline = timeline(name);
      if (timeline != null) {
        out.put(name, timeline);
      }
    }
    return out;
  }

  @Override
  public TimelineId timeline(String branch) {
    if (branch.isEmpty() || branch.contains("/")) {
      return null;
    }
    byte[] id = store.readIfExists(layout.branches() + branch);
    return id == null ? null : TimelineId.parse(new String(id, StandardCharsets.UTF_8).strip());
  }

  /** The timeline of a branch, created (with its first index, no ancestor) if there is no such branch. */
  TimelineId ensure(String branch) {
    TimelineId existing = timeline(branch);
    if (existing != null) {
      return existing;
    }
    TimelineId timeline = TimelineId.generate();
    store.write(layout.index(timeline, 1), TimelineIndex.created(timeline, null, Instant.now()).toJson());
    store.write(layout.branches() + branch, timeline.toString().getBytes(StandardCharsets.UTF_8));
    return timeline;
  }

  @Override
  public StorageBytes storage(TimelineId timeline) {
    List<String> names = store.list(layout.indexDirectory(timeline));
    names.removeIf(n -> !n.endsWith(".json"));
    if (names.isEmpty()) {
      return new StorageBytes(0, 0);
    }
    String path = layout.indexDirectory(timeline) + names.get(names.size() - 1);
    byte[] json = store.readIfExists(path);
    if (json == null) {
      return new StorageBytes(0, 0);
    }
    TimelineIndex index = TimelineIndex.fromJson(path, json);
    long layers = index.layers().stream().mapToLong(LayerDescriptor::sizeBytes).sum();
    long wal = index.walArchive().stream().mapToLong(TimelineIndex.ArchiveFile::sizeBytes).sum();
    return new StorageBytes(layers, wal);
  }
}
