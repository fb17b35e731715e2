package dev.folio.flink;

import dev.folio.format.TimelineId;
import dev.folio.format.index.TimelineIndex;
import dev.folio.format.layer.BytesLayerSource;
import dev.folio.format.layer.DeltaLayer;
import dev.folio.format.layer.ImageLayer;
import dev.folio.format.layer.LayerDescriptor;
import dev.folio.format.layer.LayerKind;
import dev.folio.format.layer.LayerMap;
import dev.folio.format.layout.StorageLayout;
import dev.folio.testsupport.S3Endpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** What the materializer left in S3, read back through the AWS SDK: indexes and their layers. */
public final class S3Timelines implements AutoCloseable {
  private final S3Endpoint s3;
  private final StorageLayout layout;
  private final S3Client client;
  private final Map<String, byte[]> downloaded = new HashMap<>();

  public S3Timelines(S3Endpoint s3, StorageLayout layout) {
    this.s3 = s3;
    this.layout = layout;
    this.client = s3.client();
  }

  private String key(String path) {
    return path.substring(("s3a://" + s3.bucket() + "/").length());
  }

  public List<String> list(String directory) {
    return client.listObjectsV2Paginator(b -> b.bucket(s3.bucket()).prefix(key(directory))).contents().stream()
        .map(S3Object::key).toList();
  }

  public byte[] get(String path) {
    return downloaded.computeIfAbsent(key(path),
        k -> client.getObjectAsBytes(b -> b.bucket(s3.bucket()).key(k)).asByteArray());
  }

  /** Every committed index of the timeline, oldest first. */
  public List<TimelineIndex> indexes(TimelineId timeline) {
    List<TimelineIndex> out = new ArrayList<>();
    for (String key : list(layout.indexDirectory(timeline))) {
      if (!key.endsWith(".json")) {
        continue;
      }
      byte[] json = client.getObjectAsBytes(b -> b.bucket(s3.bucket()).key(key)).asByteArray();
      out.add(TimelineIndex.fromJson(key, json));
    }
    out.sort(Comparator.comparingLong(TimelineIndex::seq));
    return out;
  }

  /** The index with the highest sequence number (names sort by it), or null if there is none. */
  public TimelineIndex newest(TimelineId timeline) {
    String newest = list(layout.indexDirectory(timeline)).stream().filter(k -> k.endsWith(".json"))
        .max(String::compareTo).orElse(null);
    if (newest == null) {
      return null;
    }
    return TimelineIndex.fromJson(newest, client.getObjectAsBytes(b -> b.bucket(s3.bucket()).key(newest)).asByteArray());
  }

  /** The layers an index lists, opened from memory. */
  public LayerMap layers(TimelineIndex index) {
    List<ImageLayer> images = new ArrayList<>();
    List<DeltaLayer> deltas = new ArrayList<>();
    try {
      for (LayerDescriptor d : index.layers()) {
        String path = layout.layer(index.timeline(), d.name());
        BytesLayerSource source = new BytesLayerSource(path, get(path));
        if (d.name().kind() == LayerKind.DELTA) {
          deltas.add(DeltaLayer.open(d.name(), source));
        } else {
          images.add(ImageLayer.open(d.name(), source));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new LayerMap(images, deltas);
  }

  @Override
  public void close() {
    client.close();
  }
}
