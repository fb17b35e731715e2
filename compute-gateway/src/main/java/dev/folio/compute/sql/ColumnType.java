package dev.folio.compute.sql;

import dev.folio.compute.pgwire.PgException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * The column types a table can have so far, with their PostgreSQL OIDs, Calcite types, text forms
 * (as PostgreSQL prints them) and stored forms (big-endian; text as UTF-8 with a length).
 */
public enum ColumnType {
  INT4(23, 4, SqlTypeName.INTEGER),
  INT8(20, 8, SqlTypeName.BIGINT),
  FLOAT8(701, 8, SqlTypeName.DOUBLE),
  BOOL(16, 1, SqlTypeName.BOOLEAN),
  TEXT(25, -1, SqlTypeName.VARCHAR);

  public final int oid;
  public final short size;
  public final SqlTypeName calcite;

  ColumnType(int oid, int size, SqlTypeName calcite) {
    this.oid = oid;
    this.size = (short) size;
    this.calcite = calcite;
  }

  /** The type named in DDL, PostgreSQL's aliases included; 42704 if unknown. */
  public static ColumnType named(String name) {
    String n = name.toLowerCase(Locale.ROOT).replaceAll("\\(.*\\)", "").strip();
    return switch (n) {
      case "int", "int4", "integer", "serial", "smallint", "int2" -> INT4;
      case "bigint", "int8", "bigserial" -> INT8;
      case "float8", "double precision", "double", "float", "real", "float4", "numeric", "decimal" -> FLOAT8;
      case "bool", "boolean" -> BOOL;
      case "text", "varchar", "character varying", "char", "character", "bpchar" -> TEXT;
      default -> throw new PgException("42704", "type \"" + name + "\" does not exist");
    };
  }

  /** A value of this type from a Java value Calcite or a literal gave; 22P02 if it is not one. */
  public Object coerce(Object v) {
    if (v == null) {
      return null;
    }
    try {
      return switch (this) {
        case INT4 -> v instanceof Number n ? Math.toIntExact(n.longValue()) : Integer.parseInt(v.toString().strip());
        case INT8 -> v instanceof Number n ? n.longValue() : Long.parseLong(v.toString().strip());
        case FLOAT8 -> v instanceof Number n ? n.doubleValue() : Double.parseDouble(v.toString().strip());
        case BOOL -> v instanceof Boolean b ? b : parseBool(v.toString());
        case TEXT -> v.toString();
      };
    } catch (NumberFormatException | ArithmeticException e) {
      throw new PgException("22P02", "invalid input syntax for type " + name().toLowerCase(Locale.ROOT) + ": \""
          + v + "\"");
    }
  }

  private static boolean parseBool(String s) {
    return switch (s.strip().toLowerCase(Locale.ROOT)) {
      case "t", "true", "yes", "on", "1" -> true;
      case "f", "false", "no", "off", "0" -> false;
      default -> throw new NumberFormatException(s);
    };
  }

  /** The value as PostgreSQL prints it in text format. */
  public static String text(Object v) {
    if (v == null) {
      return null;
    }
    if (v instanceof Boolean b) {
      return b ? "t" : "f";
    }
    if (v instanceof Double d) {
      return d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15 ? String.valueOf(d.longValue())
          : d.toString();
    }
    return v.toString();
  }

  void write(ByteBuffer out, Object v) {
    switch (this) {
      case INT4 -> out.putInt((Integer) v);
      case INT8 -> out.putLong((Long) v);
      case FLOAT8 -> out.putDouble((Double) v);
      case BOOL -> out.put((byte) ((Boolean) v ? 1 : 0));
      case TEXT -> {
        byte[] b = ((String) v).getBytes(StandardCharsets.UTF_8);
        out.putInt(b.length).put(b);
      }
    }
  }

  int storedSize(Object v) {
    return this == TEXT ? 4 + ((String) v).getBytes(StandardCharsets.UTF_8).length : size;
  }

  Object read(ByteBuffer in) {
    return switch (this) {
      case INT4 -> in.getInt();
      case INT8 -> in.getLong();
      case FLOAT8 -> in.getDouble();
      case BOOL -> in.get() != 0;
      case TEXT -> {
        byte[] b = new byte[in.getInt()];
        in.get(b);
        yield new String(b, StandardCharsets.UTF_8);
      }
    };
  }
}
