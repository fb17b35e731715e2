package dev.folio.format.layer;

import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.wal.WalCodec;
import dev.folio.format.wal.WalRecords;
import dev.folio.schemas.wal.WalRecord;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A delta layer: the WAL records of a key range over an LSN range [start, end), sorted by (key,
 * LSN), each stored in the encoding it has on Kafka. The index keeps each record's will_init flag,
 * so reconstruction knows where a page's history begins without decoding older records.
 */
public final class DeltaLayer implements Closeable {
  private final LayerName name;
  private final LayerFile file;

  private DeltaLayer(LayerName name, LayerFile file) {
    this.name = name;
    this.file = file;
  }

  /** Opens a delta layer and checks that its summary agrees with its name. */
  public static DeltaLayer open(LayerName name, LayerSource source) throws IOException {
    LayerFile file = LayerFile.open(source);
    LayerSummary s = file.summary();
    if (name.kind() != LayerKind.DELTA || s.kind() != LayerKind.DELTA || s.lsnStart() != name.lsnStart()
        || s.lsnEnd() != name.lsnEnd() || !s.firstKey().equals(name.firstKey()) || !s.lastKey().equals(name.lastKey())) {
      file.close();
      throw new LayerCorruptedException(source.name(), 0, "the summary " + s + " does not match the name " + name);
    }
    return new DeltaLayer(name, file);
  }

  public LayerName name() {
    return name;
  }

  public LayerSummary summary() {
    return file.summary();
  }

  public LayerFile file() {
    return file;
  }

  /** The records of {@code key} with {@code afterLsn < lsn <= uptoLsn}, in LSN order. */
  public List<WalRecord> records(PageKey key, long afterLsn, long uptoLsn) throws IOException {
    List<LayerFile.Entry> entries = file.lookup(key, afterLsn, uptoLsn);
    List<WalRecord> records = new ArrayList<>(entries.size());
    for (LayerFile.Entry e : entries) {
      records.add(decode(e));
    }
    return records;
  }

  /** Decodes an entry and checks that the record is the one the index says. */
  WalRecord decode(LayerFile.Entry e) {
    WalRecord r = WalCodec.get().decodeRecord(e.value());
    if (r.getLsn() != e.lsn() || r.getWillInit() != e.willInit() || !WalRecords.key(r).equals(e.key())) {
      throw new LayerCorruptedException(file.name(), 0, "the index lists " + e.key() + " at " + Lsn.format(e.lsn())
          + " but the record is " + WalRecords.key(r) + " at " + Lsn.format(r.getLsn()));
    }
    return r;
  }

  @Override
  public void close() throws IOException {
    file.close();
  }

  /** Writes a delta layer; records come in (key, LSN) order. */
  public static final class Writer implements Closeable {
    private final LayerWriter writer;
    private final String generation;

    public Writer(Path path, TimelineId timeline, long lsnStart, long lsnEnd, String generation) throws IOException {
      this(path, timeline, lsnStart, lsnEnd, generation, LayerWriter.DEFAULT_DATA_BLOCK_SIZE);
    }

    public Writer(Path path, TimelineId timeline, long lsnStart, long lsnEnd, String generation, int dataBlockSize)
        throws IOException {
      this.writer = new LayerWriter(path, LayerKind.DELTA, timeline, lsnStart, lsnEnd, dataBlockSize);
      this.generation = generation;
    }

    public void add(WalRecord record) throws IOException {
      writer.add(WalRecords.key(record), record.getLsn(), record.getWillInit(), WalCodec.get().encode(record));
    }

    /** Adds a record already encoded (single-object, as on Kafka); the caller vouches for key, LSN and flag. */
    public void addEncoded(PageKey key, long lsn, boolean willInit, byte[] encodedRecord) throws IOException {
      writer.add(key, lsn, willInit, encodedRecord);
    }

    public long entries() {
      return writer.entries();
    }

    public long bytesWritten() {
      return writer.bytesWritten();
    }

    public LayerDescriptor finish() throws IOException {
      LayerSummary s = writer.finish();
      return LayerDescriptor.of(LayerName.delta(s.firstKey(), s.lastKey(), s.lsnStart(), s.lsnEnd(), generation), s);
    }

    @Override
    public void close() throws IOException {
      writer.close();
    }
  }
}
