package dev.folio.flink.materializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.folio.flink.gc.GarbageCollector;
import dev.folio.flink.storage.TimelineIndexStore;
import dev.folio.format.FormatException;
import dev.folio.format.Lsn;
import dev.folio.format.TimelineId;
import dev.folio.format.index.TimelineIndex;
import dev.folio.format.layer.LayerDescriptor;
import dev.folio.format.layer.LayerName;
import dev.folio.format.layout.StorageLayout;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Makes a checkpoint's layers visible: when Flink reports a checkpoint complete, it writes the
 * next timeline index of every timeline the checkpoint changed, listing the new layer and WAL
 * archive files, the consistent LSN at the checkpoint's barrier, where a tail reader starts on each
 * partition, and the checkpoint id (DESIGN invariant 8). Runs with parallelism 1.
 *
 * <p>Being the one writer of indexes, it also runs garbage collection ({@link GarbageCollector}):
 * a pass in the background every so often, whose plan the next commit applies, leaving the layers
 * no read needs out of the timelines' next indexes.
 *
 * <p>Custom operators rather than Flink's Sink V2 committer topology: this committer needs two
 * inputs aligned on the same barrier, the files the writers produced before it and the flush
 * markers the sources read before it, and a Sink V2 committer only sees committables.
 *
 * <p>What makes committing idempotent, as in Iceberg's and Paimon's committers:
 *
 * <ul>
 *   <li>files arrive before the barrier of their checkpoint, and the state snapshotted at that
 *       barrier holds them, with the consistent LSN, until they are committed;
 *   <li>an index is written once, under the next sequence number, never overwritten; each records
 *       the job and checkpoint that wrote it;
 *   <li>a checkpoint that the newest index of a timeline already covers (same job, same or later
 *       checkpoint) is skipped, so a commit repeated after a restore writes nothing; pending
 *       checkpoints restored from state are committed at once, since the checkpoint restored from
 *       completed;
 *   <li>every file name is unique to the writer attempt that wrote it, so a retried write never
 *       replaces a listed file;
 *   <li>there is one committer, and the object store writes an object whole or not at all.
 * </ul>
 *
 * A newest index written by another job at a later or the same checkpoint means that this job did
 * not start from that job's state: it refuses, rather than list the same records twice.
 */
public final class IndexCommitter extends AbstractStreamOperator<Void> implements OneInputStreamOperator<CommitterInput, Void> {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(IndexCommitter.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final StorageLayout layout;
  private final String topic;
  private final int partitions;
  private final FaultInjector faults;
  private final GarbageCollector.Settings gc;

  private transient MarkerLog markers;
  private transient List<CommitterInput> files;
  private transient TreeMap<Long, Pending> pending;
  private transient Map<TimelineId, TimelineIndex> newest;
  private transient ListState<byte[]> stateHandle;
  private transient String jobId;
  private transient Counter indexesWritten;
  private transient Histogram commitMillis;
  private transient volatile long lsnBehind;
  private transient GarbageCollector collector;
  private transient ExecutorService gcThread;
  private transient Future<GarbageCollector.Pass> pass;
  private transient long nextPass;
  private transient Counter layersDropped;
  private transient Counter filesDeleted;
  private transient Counter bytesDeleted;

  /** What a snapshotted checkpoint brings, waiting for the checkpoint to complete. */
  private record Pending(long checkpointId, List<CommitterInput> files, Map<TimelineId, MarkerLog.Consistency> consistency) {}

  /** @param gc garbage collection settings, or null for none */
  public IndexCommitter(StorageLayout layout, String topic, int partitions, GarbageCollector.Settings gc,
      FaultInjector faults) {
    this.layout = layout;
    this.gc = gc;
    this.topic = topic;
    this.partitions = partitions;
    this.faults = faults;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    jobId = getRuntimeContext().getJobInfo().getJobId().toHexString();
    markers = new MarkerLog(partitions);
    files = new ArrayList<>();
    pending = new TreeMap<>();
    newest = new HashMap<>();
    indexesWritten = getMetricGroup().counter("folioIndexesWritten");
    layersDropped = getMetricGroup().counter("folioGcLayersDropped");
    filesDeleted = getMetricGroup().counter("folioGcFilesDeleted");
    bytesDeleted = getMetricGroup().counter("folioGcBytesDeleted");
    if (gc != null) {
      collector = new GarbageCollector(layout, gc);
      gcThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "folio-gc");
        t.setDaemon(true);
        return t;
      });
      nextPass = System.nanoTime() + gc.interval().toNanos();
    }
    commitMillis = getMetricGroup().histogram("folioCommitMillis", new DescriptiveStatisticsHistogram(500));
    getMetricGroup().gauge("folioLsnBehind", () -> lsnBehind);
    stateHandle = context.getOperatorStateStore().getListState(
        new ListStateDescriptor<>("folio-committer", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    if (context.isRestored()) {
      for (byte[] saved : stateHandle.get()) {
        restore(JSON.readTree(saved));
      }
      commitUpTo(context.getRestoredCheckpointId().orElse(Long.MAX_VALUE));
    }
  }

  @Override
  public void processElement(StreamRecord<CommitterInput> element) {
    CommitterInput in = element.getValue();
    if (in.kind == CommitterInput.MARKER) {
      markers.add(in.timeline(), in.partition, in.lsn, in.offset);
    } else {
      files.add(in);
    }
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    Map<TimelineId, MarkerLog.Consistency> consistency = markers.consistency();
    pending.put(context.getCheckpointId(), new Pending(context.getCheckpointId(), files, consistency));
    files = new ArrayList<>();
    markers.pruneBelow(consistency);
    stateHandle.update(List.of(JSON.writeValueAsBytes(stateJson())));
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) throws Exception {
    super.notifyCheckpointComplete(checkpointId);
    commitUpTo(checkpointId);
    collectGarbage();
  }

  /** Starts a garbage collection pass in the background when one is due and none is running. */
  private void collectGarbage() {
    if (collector == null || pass != null || System.nanoTime() < nextPass) {
      return;
    }
    nextPass = System.nanoTime() + collector.settings().interval().toNanos();
    pass = gcThread.submit(() -> collector.run(Instant.now()));
  }

  /**
   * What the last pass says the next indexes leave out, once it has finished (nothing before).
   * A failed pass is logged and tried again at the next interval: it never fails the job.
   */
  private Map<TimelineId, GarbageCollector.Drop> collected() {
    if (pass == null || !pass.isDone()) {
      return Map.of();
    }
    try {
      GarbageCollector.Pass done = pass.get();
      filesDeleted.inc(done.filesDeleted());
      bytesDeleted.inc(done.bytesDeleted());
      return done.drops();
    } catch (ExecutionException e) {
      LOG.warn("A garbage collection pass failed; the next one tries again", e.getCause());
      return Map.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Map.of();
    } finally {
      pass = null;
    }
  }

  @Override
  public void close() throws Exception {
    if (gcThread != null) {
      gcThread.shutdownNow();
    }
    super.close();
  }

  private void commitUpTo(long checkpointId) throws IOException {
    Iterator<Pending> it = pending.headMap(checkpointId, true).values().iterator();
    while (it.hasNext()) {
      Pending p = it.next();
      long start = System.nanoTime();
      faults.beforeCommit(p.checkpointId());
      commit(p);
      commitMillis.update((System.nanoTime() - start) / 1_000_000);
      it.remove();
    }
    long behind = 0;
    for (Map.Entry<TimelineId, TimelineIndex> t : newest.entrySet()) {
      behind = Math.max(behind, markers.lastFlushSeen(t.getKey()) - t.getValue().consistentLsn());
    }
    lsnBehind = behind;
  }

  private void commit(Pending p) throws IOException {
    Set<TimelineId> timelines = new LinkedHashSet<>(p.consistency().keySet());
    p.files().forEach(f -> timelines.add(f.timeline()));
    Map<TimelineId, GarbageCollector.Drop> drops = collected();
    timelines.addAll(drops.keySet());
    for (TimelineId timeline : timelines) {
      TimelineIndex previous = newest(timeline);
      if (previous != null && previous.checkpointId() >= p.checkpointId()) {
        if (previous.jobId().equals(jobId)) {
          continue;
        }
        throw new FormatException("INDEX_CONFLICT", "timeline " + timeline + " was materialized up to checkpoint "
            + previous.checkpointId() + " (LSN " + Lsn.format(previous.consistentLsn()) + ") by job "
            + previous.jobId() + "; start this job from that job's latest checkpoint or savepoint");
      }
      List<LayerDescriptor> layers = new ArrayList<>(previous == null ? List.of() : previous.layers());
      List<TimelineIndex.ArchiveFile> archive = new ArrayList<>(previous == null ? List.of() : previous.walArchive());
      for (CommitterInput f : p.files()) {
        if (!f.timeline().equals(timeline)) {
          continue;
        }
        if (f.kind == CommitterInput.LAYER) {
          layers.add(new LayerDescriptor(LayerName.parse(f.name), f.sizeBytes, f.entries));
        } else {
          archive.add(new TimelineIndex.ArchiveFile(f.partition, f.lsn, f.lastLsn, f.entries, f.sizeBytes, f.name));
        }
      }
      GarbageCollector.Drop drop = drops.get(timeline);
      long retainedFrom = previous == null ? 0 : previous.retainedFromLsn();
      if (drop != null) {
        layers.removeIf(d -> drop.layers().contains(d.name().toString()));
        retainedFrom = Lsn.max(retainedFrom, drop.horizon());
        layersDropped.inc(drop.layers().size());
      }
      MarkerLog.Consistency c = p.consistency().get(timeline);
      long before = previous == null ? 0 : previous.consistentLsn();
      boolean advanced = c != null && Lsn.compare(c.lsn(), before) > 0;
      if (!advanced && previous != null && layers.size() == previous.layers().size()
          && archive.size() == previous.walArchive().size()) {
        continue;
      }
      List<TimelineIndex.KafkaOffset> offsets = new ArrayList<>();
      if (advanced) {
        c.offsets().forEach((partition, offset) -> offsets.add(new TimelineIndex.KafkaOffset(topic, partition, offset)));
        offsets.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
      } else if (previous != null) {
        offsets.addAll(previous.kafkaOffsets());
      }
      TimelineIndex next = new TimelineIndex(timeline, previous == null ? 1 : previous.seq() + 1,
          previous == null ? null : previous.ancestor(), previous == null ? 0 : previous.startLsn(), retainedFrom,
          advanced ? c.lsn() : before, p.checkpointId(), jobId, offsets, layers, archive, Instant.now());
      TimelineIndexStore.write(layout, next);
      newest.put(timeline, next);
      indexesWritten.inc();
    }
  }

  /** The newest committed index of a timeline, read once from the object store, then kept. */
  private TimelineIndex newest(TimelineId timeline) throws IOException {
    TimelineIndex known = newest.get(timeline);
    if (known == null) {
      known = TimelineIndexStore.newest(layout, timeline);
      if (known != null) {
        newest.put(timeline, known);
      }
    }
    return known;
  }

  private ObjectNode stateJson() {
    ObjectNode root = JSON.createObjectNode();
    root.set("markers", markers.toJson());
    ArrayNode list = root.putArray("pending");
    for (Pending p : pending.values()) {
      ObjectNode node = list.addObject().put("checkpoint", p.checkpointId());
      ArrayNode filesNode = node.putArray("files");
      for (CommitterInput f : p.files()) {
        filesNode.addObject().put("kind", f.kind).put("timeline", f.timeline().toString()).put("partition", f.partition)
            .put("lsn", f.lsn).put("lastLsn", f.lastLsn).put("name", f.name).put("sizeBytes", f.sizeBytes)
            .put("entries", f.entries);
      }
      ArrayNode consistencyNode = node.putArray("consistency");
      p.consistency().forEach((timeline, c) -> {
        ObjectNode cn = consistencyNode.addObject().put("timeline", timeline.toString()).put("lsn", c.lsn());
        ObjectNode offsetsNode = cn.putObject("offsets");
        c.offsets().forEach((partition, offset) -> offsetsNode.put(Integer.toString(partition), offset));
      });
    }
    return root;
  }

  private void restore(JsonNode root) {
    markers = MarkerLog.fromJson(partitions, root.get("markers"));
    for (JsonNode node : root.get("pending")) {
      List<CommitterInput> restoredFiles = new ArrayList<>();
      for (JsonNode f : node.get("files")) {
        TimelineId timeline = TimelineId.parse(f.get("timeline").asText());
        CommitterInput in = (byte) f.get("kind").asInt() == CommitterInput.LAYER
            ? CommitterInput.layer(timeline, f.get("name").asText(), f.get("sizeBytes").asLong(), f.get("entries").asLong())
            : CommitterInput.archive(timeline, f.get("partition").asInt(), f.get("lsn").asLong(),
                f.get("lastLsn").asLong(), f.get("name").asText(), f.get("sizeBytes").asLong(), f.get("entries").asLong());
        restoredFiles.add(in);
      }
      Map<TimelineId, MarkerLog.Consistency> consistency = new HashMap<>();
      for (JsonNode c : node.get("consistency")) {
        Map<Integer, Long> offsets = new HashMap<>();
        c.get("offsets").fields().forEachRemaining(e -> offsets.put(Integer.parseInt(e.getKey()), e.getValue().asLong()));
        consistency.put(TimelineId.parse(c.get("timeline").asText()), new MarkerLog.Consistency(c.get("lsn").asLong(), offsets));
      }
      long checkpoint = node.get("checkpoint").asLong();
      pending.put(checkpoint, new Pending(checkpoint, restoredFiles, consistency));
    }
  }
}
