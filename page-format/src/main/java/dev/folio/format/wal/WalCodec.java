package dev.folio.format.wal;

import dev.folio.format.TimelineId;
import dev.folio.schemas.wal.FlushMarker;
import dev.folio.schemas.wal.WalRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.SystemLimitException;
import org.apache.avro.io.BinaryData;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;

/**
 * Encodes and decodes the messages of the WAL topic in Avro single-object encoding:
 *
 * <pre>
 * offset size
 *      0    2  0xC3 0x01                       single-object marker, format version 1
 *      2    8  CRC-64-AVRO fingerprint         of the writer's schema, little-endian
 *     10    -  Avro binary body                a WalRecord or a FlushMarker
 * </pre>
 *
 * The fingerprint says which message it is and which version of the schema wrote it; bodies
 * written with an older schema this codec knows are resolved to the current one (Avro schema
 * resolution), so a newer reader reads older records. When the contract changes, the previous
 * schema of the changed message joins {@link #KNOWN_OLDER_SCHEMAS}. Thread-safe.
 */
public final class WalCodec {
  /*
   * A value read from the topic may be garbage, and Avro allocates whatever a garbage length asks
   * for (a count of two hundred million array items is an OutOfMemoryError, not an error of the
   * value). No WAL message holds a collection of more items, or more bytes in one field, than an
   * 8 KiB page and its slack: with Avro's limits such a value is refused as malformed. Limits set by
   * the operator are kept. Avro reads its limits once, when its SystemLimitException is first used,
   * and offers no public way to read them again: if something in this JVM decoded Avro before, its
   * package-private resetLimits is called.
   */
  static {
    System.getProperties().putIfAbsent(SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY, "65536");
    System.getProperties().putIfAbsent(SystemLimitException.MAX_BYTES_LENGTH_PROPERTY, String.valueOf(1 << 20));
    System.getProperties().putIfAbsent(SystemLimitException.MAX_STRING_LENGTH_PROPERTY, String.valueOf(1 << 20));
    try {
      java.lang.reflect.Method reset = SystemLimitException.class.getDeclaredMethod("resetLimits");
      reset.setAccessible(true);
      reset.invoke(null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new ExceptionInInitializerError("cannot set Avro's limits for decoding WAL messages: " + e);
    }
  }

  /** Writer schemas of earlier contract versions that readers still resolve. None yet: v1. */
  private static final List<Schema> KNOWN_OLDER_SCHEMAS = List.of();

  private static final WalCodec DEFAULT = new WalCodec(KNOWN_OLDER_SCHEMAS);
  private static final int HEADER_SIZE = 10;
  /** Where a WalRecord's LSN starts: after the header and the 16-byte timeline (checked below). */
  private static final int LSN_AT = HEADER_SIZE + 16;

  private static final long CURRENT_RECORD = SchemaNormalization.parsingFingerprint64(WalRecord.getClassSchema());
  private static final long CURRENT_MARKER = SchemaNormalization.parsingFingerprint64(FlushMarker.getClassSchema());

  static {
    for (Schema schema : List.of(WalRecord.getClassSchema(), FlushMarker.getClassSchema())) {
      List<Schema.Field> fields = schema.getFields();
      if (!fields.get(0).name().equals("timeline") || fields.get(0).schema().getType() != Schema.Type.FIXED
          || fields.get(0).schema().getFixedSize() != 16 || fields.get(1).schema().getType() != Schema.Type.LONG) {
        throw new ExceptionInInitializerError("WalCodec.withLsn and peek expect " + schema.getName()
            + " to start with a 16-byte timeline and an LSN");
      }
    }
  }

  private enum Message { RECORD, MARKER }

  private final BinaryMessageEncoder<WalRecord> recordEncoder;
  private final BinaryMessageEncoder<FlushMarker> markerEncoder;
  private final BinaryMessageDecoder<WalRecord> recordDecoder;
  private final BinaryMessageDecoder<FlushMarker> markerDecoder;
  private final Map<Long, Message> messageByFingerprint = new HashMap<>();

  /**
   * What the first bytes of a WAL topic value say, without decoding the rest: whether it is a
   * record or a marker, its timeline, and its LSN (a marker's flush LSN).
   */
  public record Peek(boolean isRecord, long timelineHigh, long timelineLow, long lsn) {
    public TimelineId timeline() {
      return new TimelineId(timelineHigh, timelineLow);
    }
  }

  /** What a WAL topic value decoded to: exactly one of the two is set. */
  public record Decoded(WalRecord record, FlushMarker marker) {
    public boolean isRecord() {
      return record != null;
    }
  }

  public static WalCodec get() {
    return DEFAULT;
  }

  /** A codec that also reads these older writer schemas of WalRecord or FlushMarker. */
  public static WalCodec knowing(List<Schema> olderWriterSchemas) {
    return new WalCodec(olderWriterSchemas);
  }

  private WalCodec(List<Schema> olderWriterSchemas) {
    SpecificData model = SpecificData.get();
    recordEncoder = new BinaryMessageEncoder<>(model, WalRecord.getClassSchema());
    markerEncoder = new BinaryMessageEncoder<>(model, FlushMarker.getClassSchema());
    recordDecoder = new BinaryMessageDecoder<>(model, WalRecord.getClassSchema());
    markerDecoder = new BinaryMessageDecoder<>(model, FlushMarker.getClassSchema());
    register(WalRecord.getClassSchema(), Message.RECORD);
    register(FlushMarker.getClassSchema(), Message.MARKER);
    for (Schema older : olderWriterSchemas) {
      if (older.getFullName().equals(WalRecord.getClassSchema().getFullName())) {
        recordDecoder.addSchema(older);
        register(older, Message.RECORD);
      } else if (older.getFullName().equals(FlushMarker.getClassSchema().getFullName())) {
        markerDecoder.addSchema(older);
        register(older, Message.MARKER);
      } else {
        throw new IllegalArgumentException("not a schema of the WAL topic: " + older.getFullName());
      }
    }
  }

  private void register(Schema schema, Message message) {
    messageByFingerprint.put(SchemaNormalization.parsingFingerprint64(schema), message);
  }

  public byte[] encode(WalRecord record) {
    return encodeWith(recordEncoder, record);
  }

  public byte[] encode(FlushMarker marker) {
    return encodeWith(markerEncoder, marker);
  }

  /**
   * The encoding of a WalRecord with its LSN replaced: exactly what {@link #encode} gives for the
   * record with that LSN, without encoding it again. The LSN is the body's second field, after the
   * 16-byte timeline, so its zig-zag varint starts right after the header and the timeline; the
   * class refuses to load if the schema ever moves it.
   */
  public byte[] withLsn(byte[] encoded, long lsn) {
    int oldEnd = LSN_AT;
    while ((encoded[oldEnd++] & 0x80) != 0) {
      // skip the old varint
    }
    byte[] varint = new byte[10];
    int length = BinaryData.encodeLong(lsn, varint, 0);
    byte[] out = new byte[encoded.length - (oldEnd - LSN_AT) + length];
    System.arraycopy(encoded, 0, out, 0, LSN_AT);
    System.arraycopy(varint, 0, out, LSN_AT, length);
    System.arraycopy(encoded, oldEnd, out, LSN_AT + length, encoded.length - oldEnd);
    return out;
  }

  private static <T> byte[] encodeWith(BinaryMessageEncoder<T> encoder, T datum) {
    try {
      ByteBuffer buf = encoder.encode(datum);
      byte[] out = new byte[buf.remaining()];
      buf.get(out);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Decodes a WAL topic value: a record (checked against the contract) or a flush marker. */
  public Decoded decode(byte[] bytes) {
    Message message = messageOf(bytes);
    try {
      if (message == Message.RECORD) {
        WalRecord record = recordDecoder.decode(bytes);
        String problem = WalRecords.problem(record);
        if (problem != null) {
          throw new WalDecodeException(WalDecodeException.Reason.INVALID, problem);
        }
        return new Decoded(record, null);
      }
      return new Decoded(null, markerDecoder.decode(bytes));
    } catch (WalDecodeException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new WalDecodeException(WalDecodeException.Reason.MALFORMED,
          "the " + (message == Message.RECORD ? "WalRecord" : "FlushMarker") + " body does not decode: " + e, e);
    }
  }

  /**
   * Reads the header, the timeline and the LSN of a value, for routing it, and leaves the body
   * for later: in both messages of the current contract the 16-byte timeline comes first and the
   * LSN second (checked when the class loads). Values written with an older schema are decoded.
   * The body is not checked: a value can peek well and still fail {@link #decode}.
   */
  public Peek peek(byte[] bytes) {
    Message message = messageOf(bytes);
    long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (fingerprint != CURRENT_RECORD && fingerprint != CURRENT_MARKER) {
      Decoded d = decode(bytes);
      return d.isRecord()
          ? peekOf(true, d.record().getTimeline().bytes(), d.record().getLsn())
          : peekOf(false, d.marker().getTimeline().bytes(), d.marker().getFlushLsn());
    }
    if (bytes.length < LSN_AT + 1) {
      throw new WalDecodeException(WalDecodeException.Reason.MALFORMED, "a WAL message of " + bytes.length
          + " bytes ends before its LSN");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    long raw = 0;
    int shift = 0;
    int at = LSN_AT;
    while (true) {
      if (at >= bytes.length || shift > 63) {
        throw new WalDecodeException(WalDecodeException.Reason.MALFORMED, "the LSN of a WAL message is cut short");
      }
      int next = bytes[at++];
      raw |= (long) (next & 0x7F) << shift;
      shift += 7;
      if ((next & 0x80) == 0) {
        break;
      }
    }
    return new Peek(message == Message.RECORD, b.getLong(HEADER_SIZE), b.getLong(HEADER_SIZE + 8),
        (raw >>> 1) ^ -(raw & 1));
  }

  /** True if the value was written with the current WalRecord schema (so its body needs no resolution). */
  public boolean isCurrentRecord(byte[] bytes) {
    return bytes.length >= HEADER_SIZE
        && ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong() == CURRENT_RECORD;
  }

  /** The Avro binary body of a single-object encoding: what follows the 10-byte header. */
  public static ByteBuffer body(byte[] bytes) {
    return ByteBuffer.wrap(bytes, HEADER_SIZE, bytes.length - HEADER_SIZE).slice();
  }

  private static Peek peekOf(boolean record, byte[] timeline, long lsn) {
    ByteBuffer b = ByteBuffer.wrap(timeline);
    return new Peek(record, b.getLong(), b.getLong(), lsn);
  }

  /** Decodes bytes that must hold a WalRecord, e.g. from a delta layer. */
  public WalRecord decodeRecord(byte[] bytes) {
    Decoded decoded = decode(bytes);
    if (!decoded.isRecord()) {
      throw new WalDecodeException(WalDecodeException.Reason.INVALID, "expected a WalRecord, found a FlushMarker");
    }
    return decoded.record();
  }

  private Message messageOf(byte[] bytes) {
    if (bytes == null || bytes.length < HEADER_SIZE || bytes[0] != (byte) 0xC3 || bytes[1] != (byte) 0x01) {
      throw new WalDecodeException(WalDecodeException.Reason.NOT_SINGLE_OBJECT,
          "not Avro single-object encoding (expected C3 01 and an 8-byte schema fingerprint, got "
              + (bytes == null ? "null" : bytes.length + " bytes") + ")");
    }
    long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    Message message = messageByFingerprint.get(fingerprint);
    if (message == null) {
      throw new WalDecodeException(WalDecodeException.Reason.UNKNOWN_SCHEMA,
          String.format("unknown schema fingerprint %016x: written by a schema this reader does not know", fingerprint));
    }
    return message;
  }
}
