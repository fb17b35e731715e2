package dev.folio.format.layer;

import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads a layer file written by {@link LayerWriter} (which describes the bytes). Opening reads
 * and checks the summary and the directory; lookups then read one index block and the data blocks
 * they need, checking each frame's CRC. Thread-safe as long as the source is.
 */
public final class LayerFile implements Closeable {
  private final LayerSource source;
  private final LayerSummary summary;
  private final PageKey[] indexFirstKeys;
  private final long[] indexFirstLsns;
  private final long[] indexOffsets;
  private final int[] indexLengths;
  private final long[] dataOffsets;
  private final int[] dataLengths;

  /** One entry: the value of a key at an LSN. */
  public record Entry(PageKey key, long lsn, boolean willInit, byte[] value) {}

  private LayerFile(LayerSource source, LayerSummary summary, ByteBuffer directory) {
    this.source = source;
    this.summary = summary;
    int indexCount = directory.getInt();
    if (indexCount != summary.indexBlocks()) {
      throw corrupt(summary.directoryOffset(), "directory lists " + indexCount + " index blocks, summary "
          + summary.indexBlocks());
    }
    indexFirstKeys = new PageKey[indexCount];
    indexFirstLsns = new long[indexCount];
    indexOffsets = new long[indexCount];
    indexLengths = new int[indexCount];
    for (int i = 0; i < indexCount; i++) {
      indexFirstKeys[i] = PageKey.decodeFrom(directory);
      indexFirstLsns[i] = directory.getLong();
      indexOffsets[i] = directory.getLong();
      indexLengths[i] = directory.getInt();
    }
    int dataCount = directory.getInt();
    if (dataCount != summary.dataBlocks() || directory.remaining() != dataCount * LayerWriter.DIRECTORY_DATA_ENTRY_SIZE) {
      throw corrupt(summary.directoryOffset(), "directory does not match the summary's " + summary.dataBlocks()
          + " data blocks");
    }
    dataOffsets = new long[dataCount];
    dataLengths = new int[dataCount];
    for (int i = 0; i < dataCount; i++) {
      dataOffsets[i] = directory.getLong();
      dataLengths[i] = directory.getInt();
    }
    checkTiling();
  }

  /** Opens a layer file, checking its summary, its length and its directory. */
  public static LayerFile open(LayerSource source) throws IOException {
    String name = source.name();
    long size = source.size();
    if (size < LayerWriter.SUMMARY_SIZE) {
      throw new LayerCorruptedException(name, size, "the file ends at " + size + ", before its summary ends at "
          + LayerWriter.SUMMARY_SIZE);
    }
    byte[] head = new byte[LayerWriter.SUMMARY_SIZE];
    source.readFully(0, head, 0, head.length);
    LayerSummary summary = LayerSummary.decode(name, head);
    if (size != summary.fileLength()) {
      throw new LayerCorruptedException(name, Math.min(size, summary.fileLength()), "the file has " + size
          + " bytes, its summary says " + summary.fileLength() + (size < summary.fileLength() ? " (truncated)" : ""));
    }
    ByteBuffer directory = readFrame(source, summary.directoryOffset(), summary.directoryLength());
    try {
      return new LayerFile(source, summary, directory);
    } catch (RuntimeException e) {
      if (e instanceof LayerCorruptedException) {
        throw e;
      }
      throw new LayerCorruptedException(name, summary.directoryOffset(), "unreadable directory: " + e);
    }
  }

  public LayerSummary summary() {
    return summary;
  }

  public String name() {
    return source.name();
  }

  /**
   * The entries of {@code key} with {@code afterLsn < lsn <= uptoLsn}, in LSN order, values
   * included.
   */
  public List<Entry> lookup(PageKey key, long afterLsn, long uptoLsn) throws IOException {
    List<Entry> found = new ArrayList<>();
    if (key.compareTo(summary.firstKey()) < 0 || key.compareTo(summary.lastKey()) > 0) {
      return found;
    }
    int block = lastIndexBlockNotAfter(key, afterLsn);
    ByteBuffer data = null;
    int dataBlock = -1;
    for (; block < indexOffsets.length; block++) {
      ByteBuffer index = indexBlock(block);
      for (int i = 0, n = index.getInt(); i < n; i++) {
        IndexEntry e = indexEntry(index, block);
        int order = e.key.compareTo(key);
        if (order < 0 || (order == 0 && Lsn.compare(e.lsn, afterLsn) <= 0)) {
          continue;
        }
        if (order > 0 || Lsn.compare(e.lsn, uptoLsn) > 0) {
          return found;
        }
        if (e.dataBlock != dataBlock) {
          data = dataBlock(e.dataBlock);
          dataBlock = e.dataBlock;
        }
        found.add(new Entry(e.key, e.lsn, e.willInit, value(data, e.dataBlock, e.valueAt)));
      }
    }
    return found;
  }

  /** Every entry in (key, LSN) order. */
  public void scan(EntryConsumer consumer) throws IOException {
    ByteBuffer data = null;
    int dataBlock = -1;
    for (int block = 0; block < indexOffsets.length; block++) {
      ByteBuffer index = indexBlock(block);
      for (int i = 0, n = index.getInt(); i < n; i++) {
        IndexEntry e = indexEntry(index, block);
        if (e.dataBlock != dataBlock) {
          data = dataBlock(e.dataBlock);
          dataBlock = e.dataBlock;
        }
        consumer.accept(new Entry(e.key, e.lsn, e.willInit, value(data, e.dataBlock, e.valueAt)));
      }
    }
  }

  /** Receives entries from {@link #scan}. */
  @FunctionalInterface
  public interface EntryConsumer {
    void accept(Entry entry) throws IOException;
  }

  /**
   * Reads every frame and checks everything the summary and directory claim: CRCs, order, counts,
   * key and LSN ranges, and that the data blocks hold exactly one value per entry.
   */
  public void verify() throws IOException {
    Tally tally = new Tally();
    scan(tally::count);
    if (tally.entries != summary.entries() || tally.keys != summary.keys() || !tally.last.equals(summary.lastKey())) {
      throw corrupt(0, "summary claims " + summary.entries() + " entries of " + summary.keys() + " keys up to "
          + summary.lastKey() + ", the file holds " + tally.entries + " of " + tally.keys + " up to " + tally.last);
    }
    long values = 0;
    for (int block = 0; block < dataOffsets.length; block++) {
      ByteBuffer data = dataBlock(block);
      while (data.hasRemaining()) {
        int length = data.remaining() >= 4 ? data.getInt() : -1;
        if (length < 0 || length > data.remaining()) {
          throw corrupt(dataOffsets[block], "a value overruns its data block");
        }
        data.position(data.position() + length);
        values++;
      }
    }
    if (values != summary.entries()) {
      throw corrupt(dataOffsets[0], "data blocks hold " + values + " values for " + summary.entries() + " entries");
    }
  }

  /** What {@link #verify} counts while scanning. */
  private final class Tally {
    long entries;
    long keys;
    PageKey last;
    long lastLsn;

    void count(Entry entry) {
      int order = last == null ? 1 : entry.key().compareTo(last);
      if (order < 0 || (order == 0 && Lsn.compare(entry.lsn(), lastLsn) <= 0)) {
        throw corrupt(indexOffsets[0], "entries out of order at " + entry.key() + " " + Lsn.format(entry.lsn()));
      }
      boolean inRange = summary.kind() == LayerKind.IMAGE ? Lsn.compare(entry.lsn(), summary.lsnStart()) <= 0
          : Lsn.compare(entry.lsn(), summary.lsnStart()) >= 0 && Lsn.compare(entry.lsn(), summary.lsnEnd()) < 0;
      if (!inRange) {
        throw corrupt(indexOffsets[0], entry.key() + " at " + Lsn.format(entry.lsn()) + " is outside the layer's LSNs");
      }
      keys += order != 0 ? 1 : 0;
      last = entry.key();
      lastLsn = entry.lsn();
      entries++;
    }
  }

  private record IndexEntry(PageKey key, long lsn, boolean willInit, int dataBlock, int valueAt) {}

  private IndexEntry indexEntry(ByteBuffer index, int block) {
    try {
      return new IndexEntry(PageKey.decodeFrom(index), index.getLong(),
          (index.get() & LayerWriter.FLAG_WILL_INIT) != 0, index.getInt(), index.getInt());
    } catch (IllegalArgumentException e) {
      throw corrupt(indexOffsets[block], "impossible index entry: " + e.getMessage());
    }
  }

  private int lastIndexBlockNotAfter(PageKey key, long lsn) {
    int lo = 0;
    int hi = indexOffsets.length - 1;
    int found = 0;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int order = indexFirstKeys[mid].compareTo(key);
      if (order < 0 || (order == 0 && Lsn.compare(indexFirstLsns[mid], lsn) <= 0)) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  private ByteBuffer indexBlock(int block) throws IOException {
    ByteBuffer index = readFrame(source, indexOffsets[block], indexLengths[block]);
    int n = index.getInt(0);
    if (n < 1 || index.remaining() != 4 + n * LayerWriter.INDEX_ENTRY_SIZE) {
      throw corrupt(indexOffsets[block], "index block of " + index.remaining() + " bytes claims " + n + " entries");
    }
    return index;
  }

  private ByteBuffer dataBlock(int block) throws IOException {
    if (block < 0 || block >= dataOffsets.length) {
      throw corrupt(summary.directoryOffset(), "an index entry names data block " + block + " of "
          + dataOffsets.length);
    }
    return readFrame(source, dataOffsets[block], dataLengths[block]);
  }

  private byte[] value(ByteBuffer data, int block, int at) {
    if (at < 0 || at > data.limit() - 4) {
      throw corrupt(dataOffsets[block], "an index entry points outside its data block");
    }
    int length = data.getInt(at);
    if (length < 0 || length > data.limit() - at - 4) {
      throw corrupt(dataOffsets[block] + 4 + at, "a value overruns its data block");
    }
    byte[] value = new byte[length];
    data.get(at + 4, value);
    return value;
  }

  /** Data blocks, index blocks and the directory must cover the file back to back. */
  private void checkTiling() {
    long at = LayerWriter.SUMMARY_SIZE;
    for (int i = 0; i < dataOffsets.length; i++) {
      if (dataOffsets[i] != at || dataLengths[i] < 8) {
        throw corrupt(summary.directoryOffset(), "data block " + i + " is listed at " + dataOffsets[i] + ", expected "
            + at);
      }
      at += dataLengths[i];
    }
    for (int i = 0; i < indexOffsets.length; i++) {
      if (indexOffsets[i] != at || indexLengths[i] < 8) {
        throw corrupt(summary.directoryOffset(), "index block " + i + " is listed at " + indexOffsets[i]
            + ", expected " + at);
      }
      at += indexLengths[i];
    }
    if (at != summary.directoryOffset()) {
      throw corrupt(summary.directoryOffset(), "blocks end at " + at + ", the directory starts at "
          + summary.directoryOffset());
    }
  }

  /** Reads the frame at {@code offset} of {@code length} bytes and returns its checked payload. */
  private static ByteBuffer readFrame(LayerSource source, long offset, int length) throws IOException {
    if (length < 8) {
      throw new LayerCorruptedException(source.name(), offset, "a frame of " + length + " bytes");
    }
    byte[] frame = new byte[length];
    source.readFully(offset, frame, 0, length);
    ByteBuffer b = ByteBuffer.wrap(frame);
    int payload = b.getInt(0);
    if (payload != length - 8) {
      throw new LayerCorruptedException(source.name(), offset, "frame length " + payload + " where "
          + (length - 8) + " was expected");
    }
    CRC32C crc = new CRC32C();
    crc.update(frame, 0, length - 4);
    if ((int) crc.getValue() != b.getInt(length - 4)) {
      throw new LayerCorruptedException(source.name(), offset, "frame checksum mismatch");
    }
    return b.slice(4, payload);
  }

  private LayerCorruptedException corrupt(long offset, String message) {
    return new LayerCorruptedException(source.name(), offset, message);
  }

  @Override
  public void close() throws IOException {
    source.close();
  }
}
