package dev.folio.compute.sql;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Index keys as bytes whose unsigned order is the order of the values, and in which no key is a
 * prefix of another, so that the B-tree compares keys without knowing their types and a key's
 * leading columns are a prefix of its bytes. Each column is a tag, then its value:
 *
 * <pre>
 * null             0x02                          (after every value, as PostgreSQL sorts NULL)
 * int2/4/8, date,  0x01, big-endian with the sign bit flipped (a date its day number, a timestamp
 *   timestamp(tz)  its milliseconds)
 * float4/8         0x01, IEEE bits: all flipped if negative, else the sign bit flipped; −0 as +0, one NaN (last)
 * bool             0x01, 0 or 1
 * text, varchar,   0x01, the bytes (UTF-8 for strings) with 0x00 written as 0x00 0xFF, ended by 0x00 0x00
 *   char, bytea
 * </pre>
 *
 * Text is in byte order, which is code point order, not a collation: equality lookups only.
 * Numeric has no key form yet: an index on it is refused.
 */
final class IndexKeys {
  private static final int VALUE = 0x01;
  private static final int NULL = 0x02;

  private IndexKeys() {}

  /** Whether a column of this type can be in an index. */
  static boolean indexable(ColumnType type) {
    return type != ColumnType.NUMERIC;
  }

  /** The key of {@code values}, one per type, in order. */
  static byte[] encode(List<ColumnType> types, List<Object> values) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16);
    for (int i = 0; i < values.size(); i++) {
      write(out, types.get(i), values.get(i));
    }
    return out.toByteArray();
  }

  private static void write(ByteArrayOutputStream out, ColumnType type, Object v) {
    if (v == null) {
      out.write(NULL);
      return;
    }
    out.write(VALUE);
    switch (type) {
      case INT2 -> writeLong(out, ((Short) v) ^ Short.MIN_VALUE, 2);
      case INT4, DATE -> writeLong(out, ((Integer) v) ^ Integer.MIN_VALUE, 4);
      case INT8, TIMESTAMP, TIMESTAMPTZ -> writeLong(out, ((Long) v) ^ Long.MIN_VALUE, 8);
      case FLOAT4 -> {
        float f = (Float) v;
        int bits = Float.floatToIntBits(f == 0.0f ? 0.0f : f);
        writeLong(out, bits < 0 ? ~bits : bits ^ Integer.MIN_VALUE, 4);
      }
      case FLOAT8 -> {
        double d = (Double) v;
        long bits = Double.doubleToLongBits(d == 0.0 ? 0.0 : d);
        writeLong(out, bits < 0 ? ~bits : bits ^ Long.MIN_VALUE, 8);
      }
      case BOOL -> out.write((Boolean) v ? 1 : 0);
      case TEXT, VARCHAR, BPCHAR, BYTEA -> {
        byte[] bytes = type == ColumnType.BYTEA ? ((org.apache.calcite.avatica.util.ByteString) v).getBytes()
            : ((String) v).getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
          out.write(b);
          if (b == 0) {
            out.write(0xFF);
          }
        }
        out.write(0);
        out.write(0);
      }
      case NUMERIC -> throw new IllegalArgumentException("numeric has no index key form");
    }
  }

  private static void writeLong(ByteArrayOutputStream out, long v, int bytes) {
    for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) {
      out.write((int) (v >>> shift));
    }
  }
}
