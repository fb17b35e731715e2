package dev.folio.flink.materializer;

import dev.folio.format.FormatException;
import dev.folio.format.page.Page;
import dev.folio.format.page.PageLayout;
import dev.folio.format.redo.Redo;
import dev.folio.format.wal.WalCodec;
import dev.folio.schemas.wal.WalRecord;
import dev.folio.wal.reader.WalMessage;
import dev.folio.wal.reader.WalMessageDecoder;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds the WAL page by page. Keyed by {@link PageRef}; its keyed state (RocksDB in any real
 * deployment) holds, per page, the newest version of the page and the length of the delta chain
 * since the last image it emitted:
 *
 * <pre>
 *   bytes 0..8192   the page, as redo left it after the newest record
 *   8192..8196      records since the last image (big-endian int)
 *   8196..8200      bytes of those records
 * </pre>
 *
 * For each record it decodes the body, checks that the Kafka key is the record's page, applies it
 * with {@link Redo} to the page it keeps (so a record that would corrupt the page is caught here,
 * before any layer holds it), and passes the record on for a delta layer; once the chain reaches
 * {@code imageEveryRecords} records or a page's worth of bytes, it also passes on the page for an
 * image layer and starts a new chain. What cannot be decoded or applied goes to the dead-letter
 * output with its reason, and the page stays as it was.
 *
 * <p>Deltas themselves are not kept in state: they go downstream at once, and the layer writer
 * holds them until the checkpoint. Recently used pages are kept in a bounded map in front of the
 * state and written back when evicted and before every checkpoint barrier, so a hot page costs
 * one state write per checkpoint, not one per record.
 */
public final class PageFolder extends AbstractStreamOperator<LayerEntry>
    implements OneInputStreamOperator<WalEvent, LayerEntry> {
  private static final Logger LOG = LoggerFactory.getLogger(PageFolder.class);
  static final OutputTag<WalEvent> DEAD_LETTERS = new OutputTag<>("dead-letters", TypeInformation.of(WalEvent.class));
  private static final int STATE_SIZE = PageLayout.PAGE_SIZE + 8;

  private final int imageEveryRecords;
  private final int cachePages;
  private final FaultInjector faults;

  private transient ValueState<byte[]> state;
  private transient LinkedHashMap<PageRef, Folded> cache;
  private transient WalMessageDecoder decoder;
  private transient Counter records;
  private transient Counter bytes;
  private transient Counter deadLetters;
  private transient Counter images;
  private transient int subtask;

  /** A page as the folder keeps it in memory. */
  private static final class Folded {
    Page page;
    int chainRecords;
    int chainBytes;
    boolean dirty;

    Folded(Page page, int chainRecords, int chainBytes) {
      this.page = page;
      this.chainRecords = chainRecords;
      this.chainBytes = chainBytes;
    }

    static Folded decode(byte[] stored) {
      ByteBuffer b = ByteBuffer.wrap(stored);
      return new Folded(Page.of(stored, 0, PageLayout.PAGE_SIZE), b.getInt(PageLayout.PAGE_SIZE),
          b.getInt(PageLayout.PAGE_SIZE + 4));
    }

    byte[] encode() {
      byte[] out = new byte[STATE_SIZE];
      page.copyTo(out, 0);
      ByteBuffer.wrap(out).putInt(PageLayout.PAGE_SIZE, chainRecords).putInt(PageLayout.PAGE_SIZE + 4, chainBytes);
      return out;
    }
  }

  public PageFolder(int imageEveryRecords, int cachePages, FaultInjector faults) {
    this.imageEveryRecords = imageEveryRecords;
    this.cachePages = cachePages;
    this.faults = faults;
  }

  @Override
  public void open() throws Exception {
    super.open();
    state = getPartitionedState(new ValueStateDescriptor<>("page", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    cache = new LinkedHashMap<>(1024, 0.75f, true);
    decoder = new WalMessageDecoder();
    subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    records = getMetricGroup().counter("folioRecordsFolded");
    getMetricGroup().meter("folioRecordsPerSecond", new MeterView(records));
    bytes = getMetricGroup().counter("folioWalBytes");
    getMetricGroup().meter("folioWalBytesPerSecond", new MeterView(bytes));
    deadLetters = getMetricGroup().counter("folioDeadLetters");
    images = getMetricGroup().counter("folioImagesEmitted");
  }

  @Override
  public void processElement(StreamRecord<WalEvent> element) throws Exception {
    WalEvent e = element.getValue();
    PageRef ref = (PageRef) getCurrentKey();
    WalMessage message = decoder.decode(e.partition, e.offset, e.key, e.value);
    if (message instanceof WalMessage.Garbage g) {
      deadLetter(e, g.reason(), g.message());
      return;
    }
    WalRecord record = ((WalMessage.Record) message).record();
    Folded folded = cache.get(ref);
    if (folded == null) {
      byte[] stored = state.value();
      folded = stored == null ? new Folded(null, 0, 0) : Folded.decode(stored);
    }
    Page next;
    try {
      next = Redo.apply(folded.page, record);
    } catch (FormatException refused) {
      deadLetter(e, refused.code(), refused.getMessage());
      return;
    }
    folded.page = next;
    folded.chainRecords++;
    folded.chainBytes += e.value.length;
    folded.dirty = true;
    cache.put(ref, folded);
    records.inc();
    bytes.inc(e.value.length);

    byte[] current = WalCodec.get().isCurrentRecord(e.value) ? e.value : WalCodec.get().encode(record);
    output.collect(new StreamRecord<>(LayerEntry.delta(ref, e.key, record.getLsn(), record.getWillInit(), current,
        e.partition)));
    if (folded.chainRecords >= imageEveryRecords || folded.chainBytes >= PageLayout.PAGE_SIZE) {
      output.collect(new StreamRecord<>(LayerEntry.image(ref, e.key, next.lsnValue(), next.toByteArray())));
      folded.chainRecords = 0;
      folded.chainBytes = 0;
      images.inc();
    }
    faults.afterFold(subtask, record.getLsn());
    if (cache.size() > cachePages) {
      evictEldest(ref);
    }
  }

  private void deadLetter(WalEvent e, String reason, String message) {
    deadLetters.inc();
    LOG.warn("Dead letter from partition {} offset {} ({}): {}", e.partition, e.offset, reason, message);
    output.collect(DEAD_LETTERS, new StreamRecord<>(WalEvent.garbage(e.partition, e.offset, e.key, e.value, reason,
        message)));
  }

  private void evictEldest(PageRef current) throws Exception {
    Iterator<Map.Entry<PageRef, Folded>> eldest = cache.entrySet().iterator();
    Map.Entry<PageRef, Folded> entry = eldest.next();
    eldest.remove();
    if (entry.getValue().dirty) {
      setCurrentKey(entry.getKey());
      state.update(entry.getValue().encode());
      setCurrentKey(current);
    }
  }

  /** Writes every changed page back to keyed state, so that the checkpoint holds it. */
  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    Object current = getCurrentKey();
    for (Map.Entry<PageRef, Folded> entry : cache.entrySet()) {
      Folded f = entry.getValue();
      if (f.dirty) {
        setCurrentKey(entry.getKey());
        state.update(f.encode());
        f.dirty = false;
      }
    }
    if (current != null) {
      setCurrentKey(current);
    }
    super.prepareSnapshotPreBarrier(checkpointId);
  }
}
