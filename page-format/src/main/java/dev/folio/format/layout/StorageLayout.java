package dev.folio.format.layout;

import dev.folio.format.TimelineId;
import dev.folio.format.index.TimelineIndex;
import dev.folio.format.layer.LayerName;
import java.io.Serializable;

/**
 * Where everything lives in the object store, under a root such as {@code s3a://bucket/}:
 *
 * <pre>
 * tenants/&lt;tenant&gt;/timelines/&lt;timeline&gt;/timeline.json          ancestor, ancestor LSN, created
 * tenants/&lt;tenant&gt;/timelines/&lt;timeline&gt;/index/&lt;seq&gt;.json        written by the index committer only
 * tenants/&lt;tenant&gt;/timelines/&lt;timeline&gt;/layers/&lt;layer name&gt;    see {@link LayerName}
 * tenants/&lt;tenant&gt;/branches/&lt;name&gt;.json                        branch name to timeline
 * wal-archive/tenants/&lt;tenant&gt;/timelines/&lt;timeline&gt;/p&lt;partition&gt;/&lt;file&gt;.avro
 * flink/checkpoints/                                         Flink state
 * </pre>
 *
 * Paths are strings; the module that reads or writes them brings the file system.
 */
public record StorageLayout(String root, String tenant) implements Serializable {
  public StorageLayout {
    if (root == null || root.isEmpty()) {
      throw new IllegalArgumentException("the storage root is missing");
    }
    if (tenant == null || !tenant.matches("[a-z0-9][a-z0-9_-]{0,62}")) {
      throw new IllegalArgumentException("a tenant is 1 to 63 lowercase letters, digits, '_' or '-', not \""
          + tenant + "\"");
    }
    root = root.endsWith("/") ? root : root + "/";
  }

  /** Where every timeline of the tenant has its folder. */
  public String timelines() {
    return root + "tenants/" + tenant + "/timelines/";
  }

  public String timeline(TimelineId timeline) {
    return timelines() + timeline + "/";
  }

  public String timelineMetadata(TimelineId timeline) {
    return timeline(timeline) + "timeline.json";
  }

  public String indexDirectory(TimelineId timeline) {
    return timeline(timeline) + "index/";
  }

  public String index(TimelineId timeline, long seq) {
    return indexDirectory(timeline) + TimelineIndex.fileName(seq);
  }

  public String layers(TimelineId timeline) {
    return timeline(timeline) + "layers/";
  }

  public String layer(TimelineId timeline, LayerName name) {
    return layers(timeline) + name;
  }

  public String branches() {
    return root + "tenants/" + tenant + "/branches/";
  }

  /** The WAL archive of a timeline, all partitions. */
  public String walArchive(TimelineId timeline) {
    return root + "wal-archive/tenants/" + tenant + "/timelines/" + timeline + "/";
  }

  public String walArchive(TimelineId timeline, int partition) {
    return walArchive(timeline) + "p" + partition + "/";
  }

  public String checkpoints() {
    return root + "flink/checkpoints";
  }
}
