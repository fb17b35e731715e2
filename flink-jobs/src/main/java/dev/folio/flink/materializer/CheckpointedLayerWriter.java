package dev.folio.flink.materializer;

import dev.folio.flink.storage.ObjectStore;
import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.index.TimelineIndex;
import dev.folio.format.layer.DeltaLayer;
import dev.folio.format.layer.ImageLayer;
import dev.folio.format.layer.LayerDescriptor;
import dev.folio.format.layout.StorageLayout;
import dev.folio.format.page.Page;
import dev.folio.format.wal.WalCodec;
import dev.folio.schemas.wal.WalRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Turns what the folder passes on into files in the object store, once per checkpoint: per
 * timeline, a delta layer of the records (sorted by page key and LSN), an image layer of the
 * images, and per WAL partition a file of the WAL archive (the records in LSN order, an Avro
 * container file). When what it holds passes {@code bufferLimitBytes}, it writes them early. Each
 * file gets a name no other attempt uses; just before the barrier of a checkpoint it sends the
 * committer every file written since the previous one, and the committer makes them visible when
 * the checkpoint completes. Files of a failed attempt are never listed and stay invisible.
 *
 * <p>Files are encoded on the task thread and uploaded by a few threads of the writer's own, so
 * that a checkpoint waits for its uploads side by side, not one after another, and uploads of an
 * early write overlap with folding. The barrier waits until every upload has succeeded; a failed
 * upload fails the checkpoint, and the job restarts from the previous one.
 */
public final class CheckpointedLayerWriter extends AbstractStreamOperator<CommitterInput>
    implements OneInputStreamOperator<LayerEntry, CommitterInput>, BoundedOneInput {
  private static final Comparator<LayerEntry> KEY_THEN_LSN = (a, b) -> {
    int c = Arrays.compareUnsigned(a.key, b.key);
    return c != 0 ? c : Lsn.compare(a.lsn, b.lsn);
  };

  private static final int UPLOAD_THREADS = 4;

  private final StorageLayout layout;
  private final long bufferLimitBytes;

  private transient Map<TimelineId, List<LayerEntry>> deltas;
  private transient Map<TimelineId, TreeMap<PageKey, LayerEntry>> images;
  private transient long buffered;
  private transient List<Future<CommitterInput>> uploads;
  private transient ExecutorService uploaders;
  private transient String writerToken;
  private transient int files;
  private transient Path scratch;
  private transient Counter layersWritten;
  private transient Counter imageLayersWritten;
  private transient Counter bytesWritten;

  public CheckpointedLayerWriter(StorageLayout layout, long bufferLimitBytes) {
    this.layout = layout;
    this.bufferLimitBytes = bufferLimitBytes;
  }

  @Override
  public void open() throws Exception {
    super.open();
    deltas = new HashMap<>();
    images = new HashMap<>();
    uploads = new ArrayList<>();
    int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    int attempt = getRuntimeContext().getTaskInfo().getAttemptNumber();
    writerToken = "s" + subtask + "a" + attempt + "r" + Integer.toHexString(ThreadLocalRandom.current().nextInt());
    scratch = Files.createTempDirectory("folio-layers-" + writerToken);
    uploaders = Executors.newFixedThreadPool(UPLOAD_THREADS, r -> {
      Thread t = new Thread(r, "folio-layer-upload-" + writerToken);
      t.setDaemon(true);
      return t;
    });
    layersWritten = getMetricGroup().counter("folioLayersWritten");
    imageLayersWritten = getMetricGroup().counter("folioImageLayersWritten");
    bytesWritten = getMetricGroup().counter("folioLayerBytesWritten");
  }

  @Override
  public void processElement(StreamRecord<LayerEntry> element) throws Exception {
    LayerEntry e = element.getValue();
    if (e.kind == LayerEntry.DELTA) {
      deltas.computeIfAbsent(e.timeline(), t -> new ArrayList<>()).add(e);
    } else {
      images.computeIfAbsent(e.timeline(), t -> new TreeMap<>()).put(e.page(), e);
    }
    buffered += e.bytes.length + e.key.length + 32;
    if (buffered > bufferLimitBytes) {
      writeFiles();
    }
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    announce("checkpoint " + checkpointId);
    super.prepareSnapshotPreBarrier(checkpointId);
  }

  /** A bounded input (a replay) has no checkpoint to wait for: its end is when the files go. */
  @Override
  public void endInput() throws Exception {
    announce("the end of the input");
  }

  /** Writes what is buffered, waits for every upload, and tells the committer of each file. */
  private void announce(String what) throws Exception {
    writeFiles();
    for (Future<CommitterInput> upload : uploads) {
      try {
        output.collect(new StreamRecord<>(upload.get()));
      } catch (ExecutionException e) {
        throw new IOException("could not upload a file of " + what, e.getCause());
      }
    }
    uploads.clear();
  }

  private String generation() {
    return writerToken + "n" + files++;
  }

  private void writeFiles() throws IOException {
    for (Map.Entry<TimelineId, List<LayerEntry>> t : deltas.entrySet()) {
      writeDeltaLayer(t.getKey(), t.getValue());
      writeArchive(t.getKey(), t.getValue());
    }
    for (Map.Entry<TimelineId, TreeMap<PageKey, LayerEntry>> t : images.entrySet()) {
      writeImageLayer(t.getKey(), t.getValue());
    }
    deltas.clear();
    images.clear();
    buffered = 0;
  }

  private void writeDeltaLayer(TimelineId timeline, List<LayerEntry> entries) throws IOException {
    entries.sort(KEY_THEN_LSN);
    long first = entries.stream().mapToLong(e -> e.lsn).reduce(Lsn::min).orElseThrow();
    long last = entries.stream().mapToLong(e -> e.lsn).reduce(Lsn::max).orElseThrow();
    String generation = generation();
    Path local = scratch.resolve(generation + ".delta");
    LayerDescriptor d;
    try (DeltaLayer.Writer w = new DeltaLayer.Writer(local, timeline, first, last + 1, generation)) {
      for (LayerEntry e : entries) {
        w.addEncoded(e.page(), e.lsn, e.willInit, e.bytes);
      }
      d = w.finish();
    }
    upload(local, layout.layer(timeline, d.name()), CommitterInput.layer(timeline, d.fileName(), d.sizeBytes(), d.entries()));
    layersWritten.inc();
  }

  private void writeImageLayer(TimelineId timeline, TreeMap<PageKey, LayerEntry> entries) throws IOException {
    long lsn = entries.values().stream().mapToLong(e -> e.lsn).reduce(Lsn::max).orElseThrow();
    String generation = generation();
    Path local = scratch.resolve(generation + ".image");
    LayerDescriptor d;
    try (ImageLayer.Writer w = new ImageLayer.Writer(local, timeline, lsn, generation)) {
      for (Map.Entry<PageKey, LayerEntry> e : entries.entrySet()) {
        w.add(e.getKey(), Page.of(e.getValue().bytes));
      }
      d = w.finish();
    }
    upload(local, layout.layer(timeline, d.name()), CommitterInput.layer(timeline, d.fileName(), d.sizeBytes(), d.entries()));
    layersWritten.inc();
    imageLayersWritten.inc();
  }

  /** One Avro container file of the timeline's records per WAL partition, in LSN order. */
  private void writeArchive(TimelineId timeline, List<LayerEntry> entries) throws IOException {
    Map<Integer, List<LayerEntry>> byPartition = new TreeMap<>();
    for (LayerEntry e : entries) {
      byPartition.computeIfAbsent(e.partition, p -> new ArrayList<>()).add(e);
    }
    for (Map.Entry<Integer, List<LayerEntry>> p : byPartition.entrySet()) {
      List<LayerEntry> records = p.getValue();
      records.sort((a, b) -> Lsn.compare(a.lsn, b.lsn));
      String name = TimelineIndex.ArchiveFile.fileName(records.get(0).lsn, records.get(records.size() - 1).lsn,
          generation());
      Path local = scratch.resolve(name);
      try (DataFileWriter<WalRecord> out = new DataFileWriter<>(new SpecificDatumWriter<>(WalRecord.class))) {
        out.create(WalRecord.getClassSchema(), local.toFile());
        for (LayerEntry e : records) {
          out.appendEncoded(WalCodec.body(e.bytes));
        }
      }
      upload(local, layout.walArchive(timeline, p.getKey()) + name, CommitterInput.archive(timeline, p.getKey(),
          records.get(0).lsn, records.get(records.size() - 1).lsn, name, Files.size(local), records.size()));
    }
  }

  /** Uploads {@code local} to {@code target} in the background; {@code file} is what the committer hears of it. */
  private void upload(Path local, String target, CommitterInput file) throws IOException {
    bytesWritten.inc(Files.size(local));
    uploads.add(uploaders.submit(() -> {
      ObjectStore.upload(local, target);
      Files.delete(local);
      return file;
    }));
  }

  @Override
  public void close() throws Exception {
    try {
      if (uploaders != null) {
        uploaders.shutdownNow();
        uploaders.awaitTermination(1, TimeUnit.MINUTES);
      }
      if (scratch != null) {
        try (var leftovers = Files.list(scratch)) {
          for (Path f : leftovers.toList()) {
            Files.deleteIfExists(f);
          }
        }
        Files.deleteIfExists(scratch);
      }
    } finally {
      super.close();
    }
  }
}
