package dev.folio.flink.storage;

import dev.folio.format.TimelineId;
import dev.folio.format.index.TimelineIndex;
import dev.folio.format.layout.StorageLayout;
import java.io.IOException;

/** Reads and writes committed timeline indexes in the object store, through Flink's file systems. */
public final class TimelineIndexStore {
  private TimelineIndexStore() {}

  /** The index with the highest sequence number, or null if the timeline has none yet. */
  public static TimelineIndex newest(StorageLayout layout, TimelineId timeline) throws IOException {
    String directory = layout.indexDirectory(timeline);
    String last = ObjectStore.list(directory).stream().filter(n -> n.endsWith(".json")).max(String::compareTo)
        .orElse(null);
    if (last == null) {
      return null;
    }
    byte[] bytes = ObjectStore.readIfExists(directory + last);
    return bytes == null ? null : TimelineIndex.fromJson(directory + last, bytes);
  }

  /**
   * Writes an index under its sequence number, once; finding it already there, written by the same
   * job at the same checkpoint (a commit repeated after a failure), is fine.
   */
  public static void write(StorageLayout layout, TimelineIndex index) throws IOException {
    String path = layout.index(index.timeline(), index.seq());
    try {
      ObjectStore.write(path, index.toJson());
    } catch (IOException e) {
      byte[] existing = ObjectStore.readIfExists(path);
      TimelineIndex there = existing == null ? null : TimelineIndex.fromJson(path, existing);
      if (there == null || !there.jobId().equals(index.jobId()) || there.checkpointId() != index.checkpointId()) {
        throw new IOException("cannot write index " + path + ": " + e.getMessage(), e);
      }
    }
  }
}
