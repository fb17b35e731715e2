package dev.folio.format.layer;

import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Writes a layer file. Both kinds share one format, version 1: a delta layer holds the WAL
 * records of a key range over an LSN range; an image layer holds the page images of a key range
 * at one LSN. Entries are added in (key, LSN) order; the file is written front to back, and the
 * summary, which needs the counts, is written last at offset 0. All integers are big-endian and
 * every CRC is CRC32C.
 *
 * <pre>
 * offset size
 *      0  256  summary
 *                0   8  magic "FOLIOLYR"
 *                8   2  format version, 1
 *               10   1  kind: 1 delta, 2 image
 *               11   1  0
 *               12  16  timeline id
 *               28  13  first key (page key encoding)
 *               41  13  last key
 *               54   8  LSN start, inclusive (image: the image LSN)
 *               62   8  LSN end, exclusive (image: image LSN + 1)
 *               70   8  number of entries
 *               78   4  number of distinct keys
 *               82   4  number of data blocks
 *               86   4  number of index blocks
 *               90   8  offset of the directory frame
 *               98   4  length of the directory frame
 *              102   8  length of the whole file
 *              110 142  0
 *              252   4  CRC of bytes [0, 252)
 *    256    -  data blocks, then index blocks, then the directory, back to back to the end of the
 *              file; each a frame: u32 payload length | payload | u32 CRC of length and payload
 *
 * data block payload:  values back to back, each u32 length | bytes
 *                      delta: a WAL record, Avro single-object encoded (as on Kafka)
 *                      image: the 8192 bytes of a page
 * index block payload: u32 n, then n entries of 30 bytes in (key, LSN) order:
 *                      key (13) | LSN (8) | flags (1; bit 0 will_init) |
 *                      data block number (4) | position of the value in the block payload (4)
 * directory payload:   u32 n, then per index block: first key (13) | first LSN (8) |
 *                      frame offset (8) | frame length (4);
 *                      u32 m, then per data block: frame offset (8) | frame length (4)
 * </pre>
 *
 * A point lookup reads the summary and directory once, then one index block and the data blocks
 * it points to; each frame's CRC is checked when it is read, and the frames must tile the file, so
 * any flipped byte or truncation is caught by the read that meets it ({@link LayerFile#verify()}
 * meets them all). Not thread-safe.
 */
public final class LayerWriter implements Closeable {
  static final byte[] MAGIC = {'F', 'O', 'L', 'I', 'O', 'L', 'Y', 'R'};
  static final int FORMAT_VERSION = 1;
  static final int SUMMARY_SIZE = 256;
  static final int SUMMARY_CRC_AT = 252;
  static final int INDEX_ENTRY_SIZE = PageKey.ENCODED_SIZE + 8 + 1 + 4 + 4;
  static final int DIRECTORY_INDEX_ENTRY_SIZE = PageKey.ENCODED_SIZE + 8 + 8 + 4;
  static final int DIRECTORY_DATA_ENTRY_SIZE = 8 + 4;
  static final int FLAG_WILL_INIT = 1;

  /** Data blocks close once their payload passes this; a block holds at least one value. */
  public static final int DEFAULT_DATA_BLOCK_SIZE = 16 * 1024;
  private static final int INDEX_BLOCK_ENTRIES = 256;

  private final LayerKind kind;
  private final TimelineId timeline;
  private final long lsnStart;
  private final long lsnEnd;
  private final int dataBlockSize;
  private final Path path;
  private final FileChannel out;

  private long position = SUMMARY_SIZE;
  private final ByteBuffer block;
  private final ByteBuffer indexEntries = ByteBuffer.allocate(INDEX_BLOCK_ENTRIES * INDEX_ENTRY_SIZE);
  private int indexEntryCount;
  private final List<long[]> dataBlocks = new ArrayList<>();
  private final List<byte[]> indexBlocks = new ArrayList<>();
  private PageKey firstKey;
  private PageKey lastKey;
  private long lastLsn;
  private long entries;
  private int keys;
  private boolean finished;

  /**
   * Starts a layer file at {@code path}. Every entry's LSN must lie in [lsnStart, lsnEnd); an
   * image layer has {@code lsnEnd = lsnStart + 1} and entries whose pages are at or before it.
   */
  public LayerWriter(Path path, LayerKind kind, TimelineId timeline, long lsnStart, long lsnEnd, int dataBlockSize)
      throws IOException {
    if (Lsn.compare(lsnStart, lsnEnd) >= 0) {
      throw new IllegalArgumentException("empty LSN range [" + Lsn.format(lsnStart) + ", " + Lsn.format(lsnEnd) + ")");
    }
    this.kind = kind;
    this.timeline = timeline;
    this.lsnStart = lsnStart;
    this.lsnEnd = lsnEnd;
    this.dataBlockSize = dataBlockSize;
    this.path = path;
    this.block = ByteBuffer.allocate(Math.max(dataBlockSize * 2, 64 * 1024));
    this.out = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  }

  public LayerKind kind() {
    return kind;
  }

  public long entries() {
    return entries;
  }

  /** Bytes written so far, a little less than the final size. */
  public long bytesWritten() {
    return position + block.position();
  }

  /** Adds the value of (key, lsn); entries come in strictly increasing (key, LSN) order. */
  public void add(PageKey key, long lsn, boolean willInit, byte[] value) throws IOException {
    if (finished) {
      throw new IllegalStateException("layer already finished");
    }
    int order = lastKey == null ? 1 : key.compareTo(lastKey);
    if (order < 0 || (order == 0 && Lsn.compare(lsn, lastLsn) <= 0)) {
      throw new IllegalArgumentException("entries out of order: " + key + " at " + Lsn.format(lsn) + " after "
          + lastKey + " at " + Lsn.format(lastLsn));
    }
    boolean inRange = kind == LayerKind.IMAGE ? Lsn.compare(lsn, lsnStart) <= 0
        : Lsn.compare(lsn, lsnStart) >= 0 && Lsn.compare(lsn, lsnEnd) < 0;
    if (!inRange) {
      throw new IllegalArgumentException(key + " at " + Lsn.format(lsn) + " is outside the layer's LSN range");
    }
    if (block.position() > 0 && block.position() + 4 + value.length > dataBlockSize) {
      closeDataBlock();
    }
    if (firstKey == null) {
      firstKey = key;
    }
    if (order != 0) {
      keys++;
    }
    lastKey = key;
    lastLsn = lsn;
    entries++;

    int valueAt = block.position();
    ensureBlockCapacity(4 + value.length);
    block.putInt(value.length).put(value);

    key.encodeTo(indexEntries);
    indexEntries.putLong(lsn).put((byte) (willInit ? FLAG_WILL_INIT : 0)).putInt(dataBlocks.size()).putInt(valueAt);
    if (++indexEntryCount == INDEX_BLOCK_ENTRIES) {
      closeIndexBlock();
    }
  }

  private void ensureBlockCapacity(int more) {
    if (block.remaining() < more) {
      throw new IllegalArgumentException("a value of " + (more - 4) + " bytes does not fit a data block");
    }
  }

  private void closeDataBlock() throws IOException {
    int length = block.position();
    dataBlocks.add(new long[] {position, frameLength(length)});
    writeFrame(block.array(), length);
    block.clear();
  }

  private void closeIndexBlock() {
    byte[] payload = new byte[4 + indexEntryCount * INDEX_ENTRY_SIZE];
    ByteBuffer.wrap(payload).putInt(indexEntryCount).put(indexEntries.array(), 0, indexEntryCount * INDEX_ENTRY_SIZE);
    indexBlocks.add(payload);
    indexEntries.clear();
    indexEntryCount = 0;
  }

  private static int frameLength(int payloadLength) {
    return 4 + payloadLength + 4;
  }

  private void writeFrame(byte[] payload, int length) throws IOException {
    ByteBuffer frame = ByteBuffer.allocate(frameLength(length));
    frame.putInt(length).put(payload, 0, length);
    CRC32C crc = new CRC32C();
    crc.update(frame.array(), 0, 4 + length);
    frame.putInt((int) crc.getValue()).flip();
    writeAt(frame, position);
    position += frame.limit();
  }

  private void writeAt(ByteBuffer buf, long at) throws IOException {
    while (buf.hasRemaining()) {
      at += out.write(buf, at);
    }
  }

  /** Writes the index, the directory and the summary, closes the file and describes it. */
  public LayerSummary finish() throws IOException {
    if (finished) {
      throw new IllegalStateException("layer already finished");
    }
    if (entries == 0) {
      throw new IllegalStateException("a layer file holds at least one entry");
    }
    finished = true;
    if (block.position() > 0) {
      closeDataBlock();
    }
    if (indexEntryCount > 0) {
      closeIndexBlock();
    }
    ByteBuffer directory = ByteBuffer.allocate(4 + indexBlocks.size() * DIRECTORY_INDEX_ENTRY_SIZE + 4
        + dataBlocks.size() * DIRECTORY_DATA_ENTRY_SIZE);
    directory.putInt(indexBlocks.size());
    for (byte[] index : indexBlocks) {
      directory.put(index, 4, PageKey.ENCODED_SIZE + 8).putLong(position).putInt(frameLength(index.length));
      writeFrame(index, index.length);
    }
    directory.putInt(dataBlocks.size());
    for (long[] data : dataBlocks) {
      directory.putLong(data[0]).putInt((int) data[1]);
    }
    long directoryOffset = position;
    writeFrame(directory.array(), directory.capacity());

    LayerSummary summary = new LayerSummary(kind, timeline, firstKey, lastKey, lsnStart, lsnEnd, entries, keys,
        dataBlocks.size(), indexBlocks.size(), directoryOffset, frameLength(directory.capacity()), position);
    writeAt(ByteBuffer.wrap(summary.encode()), 0);
    out.close();
    return summary;
  }

  /** Abandons an unfinished file: closes and deletes it. */
  @Override
  public void close() throws IOException {
    if (out.isOpen()) {
      out.close();
      if (!finished) {
        Files.deleteIfExists(path);
      }
    }
  }
}
