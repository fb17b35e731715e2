package dev.folio.flink.replay;

import dev.folio.flink.materializer.LayerEntry;
import dev.folio.flink.materializer.PageRef;
import dev.folio.flink.materializer.WalEvent;
import dev.folio.format.FormatException;
import dev.folio.format.Lsn;
import dev.folio.format.page.Page;
import dev.folio.format.redo.Redo;
import dev.folio.format.wal.WalCodec;
import dev.folio.schemas.wal.WalRecord;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds one page's records into the page as of the replay's target, keyed by the page under the
 * new timeline. Records arrive in no useful order (archive files of several writers, then Kafka),
 * so they are kept until the page's input ends, which in a bounded job run in BATCH mode is when
 * the event-time timer at the end of time fires for the key; then they are sorted by LSN and
 * applied with {@link Redo}, the function every reader uses. A record Redo refuses is skipped and
 * counted, as the materializer dead-letters it; the same LSN twice is one record.
 */
final class ReplayFolder extends KeyedProcessFunction<PageRef, WalEvent, LayerEntry> {
  private static final Logger LOG = LoggerFactory.getLogger(ReplayFolder.class);

  private transient ListState<byte[]> records;
  private transient LongCounter pages;
  private transient LongCounter refused;

  @Override
  public void open(OpenContext context) {
    records = getRuntimeContext().getListState(
        new ListStateDescriptor<>("records", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    pages = new LongCounter();
    refused = new LongCounter();
    getRuntimeContext().addAccumulator(WalReplayJob.PAGES, pages);
    getRuntimeContext().addAccumulator(WalReplayJob.RECORDS_REFUSED, refused);
  }

  @Override
  public void processElement(WalEvent e, Context context, Collector<LayerEntry> out) throws Exception {
    records.add(e.value);
    context.timerService().registerEventTimeTimer(Long.MAX_VALUE);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext context, Collector<LayerEntry> out) throws Exception {
    List<WalRecord> chain = new ArrayList<>();
    for (byte[] bytes : records.get()) {
      chain.add(WalCodec.get().decodeRecord(bytes));
    }
    records.clear();
    chain.sort((a, b) -> Lsn.compare(a.getLsn(), b.getLsn()));
    Page page = null;
    long last = 0;
    boolean first = true;
    for (WalRecord r : chain) {
      if (!first && r.getLsn() == last) {
        continue;
      }
      first = false;
      last = r.getLsn();
      try {
        page = Redo.apply(page, r);
      } catch (FormatException e) {
        refused.add(1);
        LOG.warn("Replay skips the record at LSN {} of {} ({}): {}", Lsn.format(r.getLsn()),
            context.getCurrentKey(), e.code(), e.getMessage());
      }
    }
    if (page != null) {
      PageRef ref = context.getCurrentKey();
      pages.add(1);
      out.collect(LayerEntry.image(ref, ref.page().encode(), page.lsnValue(), page.toByteArray()));
    }
  }
}
