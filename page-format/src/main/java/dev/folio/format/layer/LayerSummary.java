package dev.folio.format.layer;

import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The first 256 bytes of a layer file: what it holds and where its directory is. The byte layout
 * is described in {@link LayerWriter}.
 */
public record LayerSummary(LayerKind kind, TimelineId timeline, PageKey firstKey, PageKey lastKey, long lsnStart,
    long lsnEnd, long entries, int keys, int dataBlocks, int indexBlocks, long directoryOffset, int directoryLength,
    long fileLength) {

  byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(LayerWriter.SUMMARY_SIZE);
    b.put(LayerWriter.MAGIC).putShort((short) LayerWriter.FORMAT_VERSION).put((byte) kind.code()).put((byte) 0);
    b.put(timeline.toBytes());
    firstKey.encodeTo(b);
    lastKey.encodeTo(b);
    b.putLong(lsnStart).putLong(lsnEnd).putLong(entries).putInt(keys).putInt(dataBlocks).putInt(indexBlocks);
    b.putLong(directoryOffset).putInt(directoryLength).putLong(fileLength);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, LayerWriter.SUMMARY_CRC_AT);
    b.putInt(LayerWriter.SUMMARY_CRC_AT, (int) crc.getValue());
    return b.array();
  }

  /** Decodes and checks a summary read from the file {@code file}. */
  static LayerSummary decode(String file, byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    if (!Arrays.equals(bytes, 0, LayerWriter.MAGIC.length, LayerWriter.MAGIC, 0, LayerWriter.MAGIC.length)) {
      throw new LayerCorruptedException(file, 0, "no layer magic: not a Folio layer file");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, LayerWriter.SUMMARY_CRC_AT);
    if ((int) crc.getValue() != b.getInt(LayerWriter.SUMMARY_CRC_AT)) {
      throw new LayerCorruptedException(file, 0, "summary checksum mismatch");
    }
    b.position(LayerWriter.MAGIC.length);
    int version = b.getShort() & 0xFFFF;
    if (version != LayerWriter.FORMAT_VERSION) {
      throw new LayerCorruptedException(file, 8, "unknown layer format version " + version);
    }
    LayerKind kind = LayerKind.fromCode(b.get() & 0xFF);
    b.get();
    byte[] timeline = new byte[TimelineId.SIZE];
    b.get(timeline);
    try {
      LayerSummary s = new LayerSummary(kind, TimelineId.fromBytes(timeline), PageKey.decodeFrom(b),
          PageKey.decodeFrom(b), b.getLong(), b.getLong(), b.getLong(), b.getInt(), b.getInt(), b.getInt(), b.getLong(),
          b.getInt(), b.getLong());
      if (kind == null || s.entries < 1 || s.keys < 1 || s.dataBlocks < 1 || s.indexBlocks < 1
          || s.directoryOffset < LayerWriter.SUMMARY_SIZE || s.directoryOffset + s.directoryLength != s.fileLength) {
        throw new LayerCorruptedException(file, 0, "impossible summary " + s);
      }
      return s;
    } catch (IllegalArgumentException e) {
      throw new LayerCorruptedException(file, 0, "impossible summary: " + e.getMessage());
    }
  }
}
