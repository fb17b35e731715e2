package dev.folio.flink.replay;

import dev.folio.flink.materializer.CommitterInput;
import dev.folio.flink.storage.TimelineIndexStore;
import dev.folio.format.TimelineId;
import dev.folio.format.index.TimelineIndex;
import dev.folio.format.layer.LayerDescriptor;
import dev.folio.format.layer.LayerName;
import dev.folio.format.layout.StorageLayout;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Makes a replay's layers a timeline: when every writer has finished, it writes the new
 * timeline's first index, listing the image layers, consistent at the target LSN, with no ancestor
 * and its own log starting after the target. Runs with parallelism 1.
 *
 * <p>What makes it safe to run again: the new timeline is the replay's own (no other writer
 * touches it), its layers have names unique to the writer attempt, the index is written once under
 * sequence number 1, and finding it already written by the same job is success. Until the index
 * exists, the timeline does not exist for any reader; naming a branch for it is the caller's step
 * after the job succeeds.
 */
final class ReplayCommitter extends AbstractStreamOperator<Void>
    implements OneInputStreamOperator<CommitterInput, Void>, BoundedOneInput {
  private final StorageLayout layout;
  private final TimelineId into;
  private final long targetLsn;
  private transient List<LayerDescriptor> layers;

  ReplayCommitter(StorageLayout layout, TimelineId into, long targetLsn) {
    this.layout = layout;
    this.into = into;
    this.targetLsn = targetLsn;
  }

  @Override
  public void open() throws Exception {
    super.open();
    layers = new ArrayList<>();
  }

  @Override
  public void processElement(StreamRecord<CommitterInput> element) {
    CommitterInput f = element.getValue();
    if (f.kind == CommitterInput.LAYER) {
      layers.add(new LayerDescriptor(LayerName.parse(f.name), f.sizeBytes, f.entries));
    }
  }

  @Override
  public void endInput() throws Exception {
    String job = "replay-" + getRuntimeContext().getJobInfo().getJobId();
    TimelineIndexStore.write(layout, TimelineIndex.replayed(into, targetLsn, layers, job, Instant.now()));
  }
}
