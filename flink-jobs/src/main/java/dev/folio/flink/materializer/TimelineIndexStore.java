package dev.folio.flink.materializer;

import dev.folio.format.TimelineId;
import dev.folio.format.index.TimelineIndex;
import dev.folio.format.layout.StorageLayout;
import java.io.IOException;

/** Reads committed timeline indexes from the object store, through Flink's file systems. */
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
}
