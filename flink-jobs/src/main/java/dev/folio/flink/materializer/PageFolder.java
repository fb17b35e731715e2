package dev.folio.flink.materializer;

import dev.folio.format.FormatException;
import dev.folio.format.page.Page;
import dev.folio.format.page.PageLayout;
import dev.folio.format.redo.Redo;
import dev.folio.format.wal.WalCodec;
import dev.folio.schemas.wal.WalRecord;
import dev.folio.wal.reader.WalMessage;
import dev.folio.wal.reader.WalMessageDecoder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
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
 * deployment) holds, per page, the last image it emitted and the records since:
 *
 * <pre>
 *   image    ValueState: the 8192-byte page as of the last image, or none before the first
 *   deltas   ListState: the records since that image, single-object encoded, in LSN order;
 *            the first is will_init when there is no image
 * </pre>
 *
 * A record costs one append to the list, an image one write and a clear: state grows with the
 * WAL, not with pages times checkpoints. The newest version of recently used pages is kept in a
 * bounded map in front, so the state is read only when a page comes back after eviction (image
 * plus at most one chain of records to fold).
 *
 * <p>For each record it decodes the body, checks that the Kafka key is the record's page, applies
 * it with {@link Redo} to the newest version (so a record that would corrupt the page is caught
 * here, before any layer holds it), and passes it on for a delta layer; once the chain reaches
 * {@code imageEveryRecords} records or a page's worth of bytes, it also passes on the page for an
 * image layer and starts a new chain. What cannot be decoded or applied goes to the dead-letter
 * output with its reason, and the page stays as it was.
 */
public final class PageFolder extends AbstractStreamOperator<LayerEntry>
    implements OneInputStreamOperator<WalEvent, LayerEntry> {
  private static final Logger LOG = LoggerFactory.getLogger(PageFolder.class);
  static final OutputTag<WalEvent> DEAD_LETTERS = new OutputTag<>("dead-letters", TypeInformation.of(WalEvent.class));

  private final int imageEveryRecords;
  private final int cachePages;
  private final FaultInjector faults;

  private transient ValueState<byte[]> image;
  private transient ListState<byte[]> deltas;
  private transient LinkedHashMap<PageRef, Folded> cache;
  private transient WalMessageDecoder decoder;
  private transient Counter records;
  private transient Counter bytes;
  private transient Counter deadLetters;
  private transient Counter images;
  private transient int subtask;

  /** The newest version of a page and the length of its chain since the last image. */
  private static final class Folded {
    Page page;
    int chainRecords;
    int chainBytes;
  }

  public PageFolder(int imageEveryRecords, int cachePages, FaultInjector faults) {
    this.imageEveryRecords = imageEveryRecords;
    this.cachePages = cachePages;
    this.faults = faults;
  }

  @Override
  public void open() throws Exception {
    super.open();
    image = getPartitionedState(new ValueStateDescriptor<>("image", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    deltas = getPartitionedState(new ListStateDescriptor<>("deltas", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    cache = new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<PageRef, Folded> eldest) {
        return size() > cachePages;
      }
    };
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
      folded = fromState();
    }
    Page next;
    try {
      next = Redo.apply(folded.page, record);
    } catch (FormatException refused) {
      deadLetter(e, refused.code(), refused.getMessage());
      return;
    }
    byte[] current = WalCodec.get().isCurrentRecord(e.value) ? e.value : WalCodec.get().encode(record);
    if (record.getWillInit()) {
      // Nothing before a will_init record matters any more: the chain starts over from it.
      image.clear();
      deltas.update(List.of(current));
      folded.chainRecords = 1;
      folded.chainBytes = current.length;
    } else {
      deltas.add(current);
      folded.chainRecords++;
      folded.chainBytes += current.length;
    }
    folded.page = next;
    cache.put(ref, folded);
    records.inc();
    bytes.inc(e.value.length);

    output.collect(new StreamRecord<>(LayerEntry.delta(ref, e.key, record.getLsn(), record.getWillInit(), current,
        e.partition)));
    if (folded.chainRecords >= imageEveryRecords || folded.chainBytes >= PageLayout.PAGE_SIZE) {
      byte[] pageBytes = next.toByteArray();
      output.collect(new StreamRecord<>(LayerEntry.image(ref, e.key, next.lsnValue(), pageBytes)));
      image.update(pageBytes);
      deltas.clear();
      folded.chainRecords = 0;
      folded.chainBytes = 0;
      images.inc();
    }
    faults.afterFold(subtask, record.getLsn());
  }

  /** The newest version of the current key's page, folded from its image and chain in state. */
  private Folded fromState() throws Exception {
    Folded folded = new Folded();
    byte[] stored = image.value();
    Page base = stored == null ? null : Page.of(stored);
    List<WalRecord> chain = new ArrayList<>();
    Iterable<byte[]> storedDeltas = deltas.get();
    if (storedDeltas != null) {
      for (byte[] d : storedDeltas) {
        chain.add(WalCodec.get().decodeRecord(d));
        folded.chainBytes += d.length;
      }
    }
    folded.chainRecords = chain.size();
    folded.page = chain.isEmpty() ? base : Redo.applyAll(base, chain);
    return folded;
  }

  private void deadLetter(WalEvent e, String reason, String message) {
    deadLetters.inc();
    LOG.warn("Dead letter from partition {} offset {} ({}): {}", e.partition, e.offset, reason, message);
    output.collect(DEAD_LETTERS, new StreamRecord<>(WalEvent.garbage(e.partition, e.offset, e.key, e.value, reason,
        message)));
  }
}
