package dev.folio.compute.pgwire;

import dev.folio.compute.session.Column;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes backend messages of the PostgreSQL protocol 3.0: {@code byte type, int32 length (itself
 * included), body}; strings NUL-terminated UTF-8, values length-prefixed (-1 for NULL).
 */
public final class Backend {
  private Backend() {}

  private static int begin(ByteBuf out, char type) {
    out.writeByte(type);
    int at = out.writerIndex();
    out.writeInt(0);
    return at;
  }

  private static void end(ByteBuf out, int at) {
    out.setInt(at, out.writerIndex() - at);
  }

  private static void string(ByteBuf out, String s) {
    out.writeCharSequence(s, StandardCharsets.UTF_8);
    out.writeByte(0);
  }

  static void authenticationOk(ByteBuf out) {
    int at = begin(out, 'R');
    out.writeInt(0);
    end(out, at);
  }

  static void authenticationSasl(ByteBuf out, String mechanism) {
    int at = begin(out, 'R');
    out.writeInt(10);
    string(out, mechanism);
    out.writeByte(0);
    end(out, at);
  }

  /** {@code code} 11: SASLContinue, 12: SASLFinal. */
  static void authenticationSaslData(ByteBuf out, int code, byte[] data) {
    int at = begin(out, 'R');
    out.writeInt(code);
    out.writeBytes(data);
    end(out, at);
  }

  static void parameterStatus(ByteBuf out, String name, String value) {
    int at = begin(out, 'S');
    string(out, name);
    string(out, value);
    end(out, at);
  }

  static void backendKeyData(ByteBuf out, int processId, int secret) {
    int at = begin(out, 'K');
    out.writeInt(processId);
    out.writeInt(secret);
    end(out, at);
  }

  static void readyForQuery(ByteBuf out, char status) {
    int at = begin(out, 'Z');
    out.writeByte(status);
    end(out, at);
  }

  static void rowDescription(ByteBuf out, List<Column> columns) {
    rowDescription(out, columns, new short[0]);
  }

  /** {@code formats}: as Bind gave them (none: all text; one: for all; else one per column). */
  static void rowDescription(ByteBuf out, List<Column> columns, short[] formats) {
    int at = begin(out, 'T');
    out.writeShort(columns.size());
    for (int i = 0; i < columns.size(); i++) {
      Column c = columns.get(i);
      string(out, c.name());
      out.writeInt(0);
      out.writeShort(0);
      out.writeInt(c.typeOid());
      out.writeShort(c.typeSize());
      out.writeInt(-1);
      out.writeShort(format(formats, i));
    }
    end(out, at);
  }

  static short format(short[] formats, int column) {
    return formats.length == 0 ? 0 : formats[formats.length == 1 ? 0 : column];
  }

  /** A row whose columns are sent in the formats asked for: binary for the types that have one. */
  static void dataRow(ByteBuf out, String[] values, List<Column> columns, short[] formats) {
    if (formats.length == 0) {
      dataRow(out, values);
      return;
    }
    int at = begin(out, 'D');
    out.writeShort(values.length);
    for (int i = 0; i < values.length; i++) {
      String v = values[i];
      if (v == null) {
        out.writeInt(-1);
      } else if (format(formats, i) == 0) {
        int lengthAt = out.writerIndex();
        out.writeInt(0);
        out.setInt(lengthAt, out.writeCharSequence(v, StandardCharsets.UTF_8));
      } else {
        switch (columns.get(i).typeOid()) {
          case 21 -> out.writeInt(2).writeShort(Short.parseShort(v));
          case 23 -> out.writeInt(4).writeInt(Integer.parseInt(v));
          case 20 -> out.writeInt(8).writeLong(Long.parseLong(v));
          case 700 -> out.writeInt(4).writeFloat(Float.parseFloat(v));
          case 701 -> out.writeInt(8).writeDouble(Double.parseDouble(v));
          case 16 -> out.writeInt(1).writeByte(v.equals("t") ? 1 : 0);
          case 1700 -> BinaryValues.numeric(out, new java.math.BigDecimal(v));
          case 1082 -> out.writeInt(4).writeInt(BinaryValues.date(v));
          case 1114, 1184 -> out.writeInt(8).writeLong(BinaryValues.timestamp(v));
          case 17 -> {
            byte[] b = java.util.HexFormat.of().parseHex(v.substring(2));
            out.writeInt(b.length).writeBytes(b);
          }
          default -> {
            int lengthAt = out.writerIndex();
            out.writeInt(0);
            out.setInt(lengthAt, out.writeCharSequence(v, StandardCharsets.UTF_8));
          }
        }
      }
    }
    end(out, at);
  }

  static void dataRow(ByteBuf out, String[] values) {
    int at = begin(out, 'D');
    out.writeShort(values.length);
    for (String v : values) {
      if (v == null) {
        out.writeInt(-1);
      } else {
        int lengthAt = out.writerIndex();
        out.writeInt(0);
        int n = out.writeCharSequence(v, StandardCharsets.UTF_8);
        out.setInt(lengthAt, n);
      }
    }
    end(out, at);
  }

  /** CopyInResponse ('G'): the client may send CopyData, all columns in text format. */
  static void copyInResponse(ByteBuf out, int columns) {
    int at = begin(out, 'G');
    out.writeByte(0);
    out.writeShort(columns);
    for (int i = 0; i < columns; i++) {
      out.writeShort(0);
    }
    end(out, at);
  }

  static void commandComplete(ByteBuf out, String tag) {
    int at = begin(out, 'C');
    string(out, tag);
    end(out, at);
  }

  static void emptyQueryResponse(ByteBuf out) {
    end(out, begin(out, 'I'));
  }

  static void parseComplete(ByteBuf out) {
    end(out, begin(out, '1'));
  }

  static void bindComplete(ByteBuf out) {
    end(out, begin(out, '2'));
  }

  static void closeComplete(ByteBuf out) {
    end(out, begin(out, '3'));
  }

  static void noData(ByteBuf out) {
    end(out, begin(out, 'n'));
  }

  static void portalSuspended(ByteBuf out) {
    end(out, begin(out, 's'));
  }

  static void parameterDescription(ByteBuf out, int[] types) {
    int at = begin(out, 't');
    out.writeShort(types.length);
    for (int t : types) {
      out.writeInt(t);
    }
    end(out, at);
  }

  /** ErrorResponse ('E') or NoticeResponse ('N'): severity, SQLSTATE, message, and a detail and hint if any. */
  /** The ErrorResponse that ends a connection: severity FATAL, with the error's code, detail and hint. */
  public static void fatal(ByteBuf out, PgException e) {
    error(out, false, "FATAL", e.sqlState(), e.getMessage(), e.detail(), e.hint());
  }

  static void error(ByteBuf out, boolean notice, String severity, String sqlState, String message, String detail,
      String hint) {
    int at = begin(out, notice ? 'N' : 'E');
    out.writeByte('S');
    string(out, severity);
    out.writeByte('V');
    string(out, severity);
    out.writeByte('C');
    string(out, sqlState);
    out.writeByte('M');
    string(out, message);
    if (detail != null) {
      out.writeByte('D');
      string(out, detail);
    }
    if (hint != null) {
      out.writeByte('H');
      string(out, hint);
    }
    out.writeByte(0);
    end(out, at);
  }
}
