package dev.folio.compute.sql;

import dev.folio.compute.pgwire.PgException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.HexFormat;
import java.util.Locale;
import org.apache.calcite.avatica.util.ByteString;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * The column types a table can have, with their PostgreSQL OIDs, Calcite types, values, text forms
 * (as PostgreSQL prints them with DateStyle ISO and TimeZone UTC) and stored forms (big-endian).
 *
 * <p>Values are Calcite's own representations, so that rows go to its operators as they are: int2
 * a Short, float4 a Float, numeric a BigDecimal, date an Integer (days since 1970-01-01),
 * timestamp and timestamptz a Long (milliseconds since 1970-01-01 UTC: Calcite computes with
 * milliseconds, so a value with finer digits is refused, not rounded), bytea a ByteString.
 *
 * <pre>
 * stored   int2 2 · int4 4 · int8 8 · float4 4 · float8 8 · bool 1 · date 4 (days)
 *          timestamp, timestamptz 8 (microseconds) · numeric: scale 2, length 2, unscaled two's complement
 *          text, varchar, char, bytea: length 4, then UTF-8 (or the bytes)
 * </pre>
 *
 * A column's modifier (PostgreSQL's typmod) is the length of varchar(n) and char(n), and
 * {@code precision << 16 | scale} of numeric(p, s); -1 for none.
 */
public enum ColumnType {
  INT2(21, 2, SqlTypeName.SMALLINT),
  INT4(23, 4, SqlTypeName.INTEGER),
  INT8(20, 8, SqlTypeName.BIGINT),
  FLOAT4(700, 4, SqlTypeName.REAL),
  FLOAT8(701, 8, SqlTypeName.DOUBLE),
  NUMERIC(1700, -1, SqlTypeName.DECIMAL),
  BOOL(16, 1, SqlTypeName.BOOLEAN),
  TEXT(25, -1, SqlTypeName.VARCHAR),
  VARCHAR(1043, -1, SqlTypeName.VARCHAR),
  BPCHAR(1042, -1, SqlTypeName.CHAR),
  BYTEA(17, -1, SqlTypeName.VARBINARY),
  DATE(1082, 4, SqlTypeName.DATE),
  TIMESTAMP(1114, 8, SqlTypeName.TIMESTAMP),
  TIMESTAMPTZ(1184, 8, SqlTypeName.TIMESTAMP_WITH_LOCAL_TIME_ZONE);

  /** The widest numeric, as PostgreSQL's declared maximum. */
  public static final int MAX_NUMERIC_PRECISION = 1000;

  public final int oid;
  public final short size;
  public final SqlTypeName calcite;

  ColumnType(int oid, int size, SqlTypeName calcite) {
    this.oid = oid;
    this.size = (short) size;
    this.calcite = calcite;
  }

  /** A type named in DDL, with its modifier. */
  public record Declared(ColumnType type, int modifier) {}

  /**
   * The type named in DDL, PostgreSQL's aliases included, with its modifier from {@code (n)} or
   * {@code (p, s)}; 42704 if unknown.
   */
  public static Declared named(String name, String arguments) {
    String n = name.toLowerCase(Locale.ROOT).strip().replaceAll("\\s+", " ");
    int[] args = arguments == null || arguments.isBlank() ? new int[0]
        : java.util.Arrays.stream(arguments.replaceAll("[()\\s]", "").split(",")).mapToInt(Integer::parseInt).toArray();
    ColumnType type = switch (n) {
      case "smallint", "int2", "smallserial" -> INT2;
      case "int", "int4", "integer", "serial" -> INT4;
      case "bigint", "int8", "bigserial" -> INT8;
      case "real", "float4" -> FLOAT4;
      case "float8", "double precision", "double" -> FLOAT8;
      case "float" -> args.length == 1 && args[0] <= 24 ? FLOAT4 : FLOAT8;
      case "numeric", "decimal" -> NUMERIC;
      case "bool", "boolean" -> BOOL;
      case "text" -> TEXT;
      case "varchar", "character varying" -> VARCHAR;
      case "char", "character", "bpchar" -> BPCHAR;
      case "bytea" -> BYTEA;
      case "date" -> DATE;
      case "timestamp", "timestamp without time zone" -> TIMESTAMP;
      case "timestamptz", "timestamp with time zone" -> TIMESTAMPTZ;
      default -> throw new PgException("42704", "type \"" + name + "\" does not exist");
    };
    int modifier = -1;
    if (type == VARCHAR || type == BPCHAR) {
      modifier = args.length > 0 ? args[0] : type == BPCHAR ? 1 : -1;
      if (args.length > 0 && (args[0] < 1 || args[0] > 10_485_760)) {
        throw new PgException("22023", "length for type " + n + " must be between 1 and 10485760");
      }
    } else if (type == NUMERIC && args.length > 0) {
      int scale = args.length > 1 ? args[1] : 0;
      if (args[0] < 1 || args[0] > MAX_NUMERIC_PRECISION || scale < 0 || scale > args[0]) {
        throw new PgException("22023", "NUMERIC precision " + args[0] + " must be between 1 and "
            + MAX_NUMERIC_PRECISION + ", and its scale between 0 and the precision");
      }
      modifier = args[0] << 16 | scale;
    }
    return new Declared(type, modifier);
  }

  /** The name PostgreSQL gives the type with this modifier, e.g. {@code character varying(20)}. */
  public String sqlName(int modifier) {
    return switch (this) {
      case VARCHAR -> "character varying" + (modifier >= 0 ? "(" + modifier + ")" : "");
      case BPCHAR -> "character(" + modifier + ")";
      case NUMERIC -> "numeric" + (modifier >= 0 ? "(" + (modifier >>> 16) + "," + (modifier & 0xFFFF) + ")" : "");
      case INT2 -> "smallint";
      case INT4 -> "integer";
      case INT8 -> "bigint";
      case FLOAT4 -> "real";
      case FLOAT8 -> "double precision";
      case BOOL -> "boolean";
      case TIMESTAMP -> "timestamp without time zone";
      case TIMESTAMPTZ -> "timestamp with time zone";
      default -> name().toLowerCase(Locale.ROOT);
    };
  }

  /**
   * A value of this type, with this modifier, from a Java value Calcite gave or a text literal:
   * 22P02 if it is not one, 22003 if out of range, 22001 if too long, 22008 if a time has
   * finer digits than a millisecond.
   */
  public Object coerce(Object v, int modifier) {
    if (v == null) {
      return null;
    }
    try {
      return switch (this) {
        case INT2 -> {
          long l = v instanceof Number n ? exactLong(n) : Long.parseLong(v.toString().strip());
          if (l < Short.MIN_VALUE || l > Short.MAX_VALUE) {
            throw new PgException("22003", "smallint out of range");
          }
          yield (short) l;
        }
        case INT4 -> {
          long l = v instanceof Number n ? exactLong(n) : Long.parseLong(v.toString().strip());
          if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
            throw new PgException("22003", "integer out of range");
          }
          yield (int) l;
        }
        case INT8 -> v instanceof Number n ? exactLong(n) : Long.parseLong(v.toString().strip());
        case FLOAT4 -> v instanceof Number n ? n.floatValue() : Float.parseFloat(floatText(v.toString()));
        case FLOAT8 -> v instanceof Number n ? n.doubleValue() : Double.parseDouble(floatText(v.toString()));
        case NUMERIC -> numeric(v instanceof BigDecimal d ? d : v instanceof Number n && !(v instanceof Double)
            && !(v instanceof Float) ? new BigDecimal(n.toString()) : new BigDecimal(v.toString().strip()), modifier);
        case BOOL -> v instanceof Boolean b ? b : parseBool(v.toString());
        case TEXT -> v.toString();
        case VARCHAR -> checkLength(v.toString(), modifier, "character varying");
        case BPCHAR -> pad(checkLength(stripTrailingBlanks(v.toString(), modifier), modifier, "character"), modifier);
        case BYTEA -> v instanceof ByteString b ? b : v instanceof byte[] b ? new ByteString(b) : parseBytea(v.toString());
        case DATE -> v instanceof Number n ? n.intValue() : (int) parseDate(v.toString()).toEpochDay();
        case TIMESTAMP, TIMESTAMPTZ -> v instanceof Number n ? n.longValue()
            : parseTimestamp(v.toString(), this == TIMESTAMPTZ);
      };
    } catch (DateTimeParseException e) {
      // A field out of range (month 13) is 22008; anything else that is not a date or time, 22007.
      boolean outOfRange = e.getCause() instanceof java.time.DateTimeException;
      throw new PgException(outOfRange ? "22008" : "22007", (outOfRange ? "date/time field value out of range: \""
          : "invalid input syntax for type " + sqlName(-1) + ": \"") + v + "\"");
    } catch (NumberFormatException | ArithmeticException e) {
      throw new PgException("22P02", "invalid input syntax for type " + sqlName(-1) + ": \"" + v + "\"");
    }
  }

  private static long exactLong(Number n) {
    if (n instanceof BigDecimal d) {
      return d.setScale(0, RoundingMode.HALF_UP).longValueExact();
    }
    if (n instanceof Double || n instanceof Float) {
      double d = Math.rint(n.doubleValue());
      if (d < Long.MIN_VALUE || d > Long.MAX_VALUE || Double.isNaN(d)) {
        throw new ArithmeticException("out of range");
      }
      return (long) d;
    }
    return n.longValue();
  }

  private static String floatText(String s) {
    String t = s.strip();
    return switch (t.toLowerCase(Locale.ROOT)) {
      case "nan" -> "NaN";
      case "infinity", "inf", "+infinity" -> "Infinity";
      case "-infinity", "-inf" -> "-Infinity";
      default -> t;
    };
  }

  /** Rounds to the declared scale, as PostgreSQL does; 22003 if the digits before the point do not fit. */
  private static BigDecimal numeric(BigDecimal d, int modifier) {
    if (modifier < 0) {
      return d;
    }
    int precision = modifier >>> 16;
    int scale = modifier & 0xFFFF;
    BigDecimal r = d.setScale(scale, RoundingMode.HALF_UP);
    if (r.precision() - r.scale() > precision - scale && r.signum() != 0) {
      throw new PgException("22003", "numeric field overflow").withDetail("A field with precision " + precision
          + ", scale " + scale + " must round to an absolute value less than 10^" + (precision - scale) + ".");
    }
    return r;
  }

  private static String checkLength(String s, int modifier, String type) {
    if (modifier >= 0 && s.codePointCount(0, s.length()) > modifier) {
      throw new PgException("22001", "value too long for type " + type + "(" + modifier + ")");
    }
    return s;
  }

  /** char(n) drops trailing blanks beyond its length before checking it, as PostgreSQL does. */
  private static String stripTrailingBlanks(String s, int modifier) {
    int end = s.length();
    while (end > Math.max(modifier, 0) && s.charAt(end - 1) == ' ') {
      end--;
    }
    return s.substring(0, end);
  }

  private static String pad(String s, int modifier) {
    int n = s.codePointCount(0, s.length());
    return n >= modifier ? s : s + " ".repeat(modifier - n);
  }

  private static boolean parseBool(String s) {
    return switch (s.strip().toLowerCase(Locale.ROOT)) {
      case "t", "true", "yes", "y", "on", "1" -> true;
      case "f", "false", "no", "n", "off", "0" -> false;
      default -> throw new NumberFormatException(s);
    };
  }

  private static ByteString parseBytea(String s) {
    if (s.startsWith("\\x")) {
      return new ByteString(HexFormat.of().parseHex(s.substring(2).replaceAll("\\s", "")));
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < b.length; i++) {
      if (b[i] != '\\') {
        out.write(b[i]);
      } else if (i + 1 < b.length && b[i + 1] == '\\') {
        out.write('\\');
        i++;
      } else if (i + 3 < b.length) {
        out.write(Integer.parseInt(new String(b, i + 1, 3, StandardCharsets.US_ASCII), 8));
        i += 3;
      } else {
        throw new NumberFormatException("invalid escape in bytea");
      }
    }
    return new ByteString(out.toByteArray());
  }

  /** A date, with or without a time or an offset after it (pgjdbc sends {@code 2026-11-29 +00}). */
  private static LocalDate parseDate(String s) {
    return LocalDate.from(TIMESTAMP_IN.parse(s.strip()));
  }

  private static final DateTimeFormatter TIMESTAMP_IN = new DateTimeFormatterBuilder()
      .append(DateTimeFormatter.ISO_LOCAL_DATE).optionalStart().appendLiteral('T').optionalEnd()
      .optionalStart().appendLiteral(' ').optionalEnd()
      .optionalStart().append(DateTimeFormatter.ISO_LOCAL_TIME).optionalEnd()
      .optionalStart().appendPattern("[XXX][XX][X]").optionalEnd()
      .parseDefaulting(ChronoField.HOUR_OF_DAY, 0).toFormatter(Locale.ROOT);

  /**
   * Milliseconds since the epoch, UTC. With a zone (timestamptz), an offset given converts to UTC;
   * without (timestamp), it is ignored, as PostgreSQL does.
   */
  private static long parseTimestamp(String s, boolean withZone) {
    String t = s.strip();
    if (t.toUpperCase(Locale.ROOT).endsWith(" UTC")) {
      t = t.substring(0, t.length() - 4) + "Z";
    }
    var parsed = TIMESTAMP_IN.parse(t);
    LocalDateTime local = LocalDateTime.of(LocalDate.from(parsed),
        parsed.isSupported(ChronoField.NANO_OF_DAY) ? java.time.LocalTime.from(parsed) : java.time.LocalTime.MIDNIGHT);
    if (local.getNano() % 1_000_000 != 0) {
      throw new PgException("22008", "timestamp \"" + s.strip() + "\" has digits finer than a millisecond, which Folio "
          + "does not keep yet");
    }
    ZoneOffset offset = withZone && parsed.isSupported(ChronoField.OFFSET_SECONDS)
        ? ZoneOffset.ofTotalSeconds(parsed.get(ChronoField.OFFSET_SECONDS)) : ZoneOffset.UTC;
    return OffsetDateTime.of(local, offset).toInstant().toEpochMilli();
  }

  private static final DateTimeFormatter TIMESTAMP_OUT = new DateTimeFormatterBuilder()
      .appendPattern("yyyy-MM-dd HH:mm:ss").optionalStart()
      .appendFraction(ChronoField.MICRO_OF_SECOND, 0, 6, true).toFormatter(Locale.ROOT);

  /** A value of this type as PostgreSQL prints it in text format. */
  public String text(Object v) {
    if (v == null) {
      return null;
    }
    return switch (this) {
      case BOOL -> (Boolean) v ? "t" : "f";
      case FLOAT4, FLOAT8 -> floatText(((Number) v).doubleValue(), this == FLOAT4 ? Float.toString(((Number) v).floatValue())
          : Double.toString(((Number) v).doubleValue()));
      case NUMERIC -> ((BigDecimal) v).toPlainString();
      case DATE -> LocalDate.ofEpochDay(((Number) v).longValue()).toString();
      case TIMESTAMP -> TIMESTAMP_OUT.format(LocalDateTime.ofEpochSecond(Math.floorDiv(((Number) v).longValue(), 1000),
          (int) Math.floorMod(((Number) v).longValue(), 1000) * 1_000_000, ZoneOffset.UTC));
      case TIMESTAMPTZ -> TIMESTAMP.text(v) + "+00";
      case BYTEA -> "\\x" + HexFormat.of().formatHex(((ByteString) v).getBytes());
      default -> v.toString();
    };
  }

  /** PostgreSQL's shortest form: integers without a point, exponents as e+NN, Infinity and NaN spelled out. */
  private static String floatText(double d, String java) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "Infinity" : "-Infinity";
    }
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return d == 0 && 1 / d < 0 ? "-0" : String.valueOf((long) d);
    }
    int e = java.indexOf('E');
    if (e < 0) {
      return java;
    }
    String mantissa = java.substring(0, e).replaceAll("\\.0$", "");
    int exponent = Integer.parseInt(java.substring(e + 1));
    return mantissa + "e" + (exponent < 0 ? "-" : "+") + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
  }

  void write(ByteBuffer out, Object v) {
    switch (this) {
      case INT2 -> out.putShort((Short) v);
      case INT4 -> out.putInt((Integer) v);
      case INT8 -> out.putLong((Long) v);
      case FLOAT4 -> out.putFloat((Float) v);
      case FLOAT8 -> out.putDouble((Double) v);
      case BOOL -> out.put((byte) ((Boolean) v ? 1 : 0));
      case DATE -> out.putInt((Integer) v);
      case TIMESTAMP, TIMESTAMPTZ -> out.putLong((Long) v * 1000);
      case NUMERIC -> {
        BigDecimal d = (BigDecimal) v;
        byte[] unscaled = d.unscaledValue().toByteArray();
        out.putShort((short) d.scale()).putShort((short) unscaled.length).put(unscaled);
      }
      case BYTEA -> {
        byte[] b = ((ByteString) v).getBytes();
        out.putInt(b.length).put(b);
      }
      case TEXT, VARCHAR, BPCHAR -> {
        byte[] b = ((String) v).getBytes(StandardCharsets.UTF_8);
        out.putInt(b.length).put(b);
      }
    }
  }

  int storedSize(Object v) {
    return switch (this) {
      case NUMERIC -> 4 + ((BigDecimal) v).unscaledValue().toByteArray().length;
      case BYTEA -> 4 + ((ByteString) v).length();
      case TEXT, VARCHAR, BPCHAR -> 4 + ((String) v).getBytes(StandardCharsets.UTF_8).length;
      default -> size;
    };
  }

  Object read(ByteBuffer in) {
    return switch (this) {
      case INT2 -> in.getShort();
      case INT4 -> in.getInt();
      case INT8 -> in.getLong();
      case FLOAT4 -> in.getFloat();
      case FLOAT8 -> in.getDouble();
      case BOOL -> in.get() != 0;
      case DATE -> in.getInt();
      case TIMESTAMP, TIMESTAMPTZ -> Math.floorDiv(in.getLong(), 1000);
      case NUMERIC -> {
        int scale = in.getShort();
        byte[] unscaled = new byte[in.getShort()];
        in.get(unscaled);
        yield new BigDecimal(new BigInteger(unscaled), scale);
      }
      case BYTEA -> {
        byte[] b = new byte[in.getInt()];
        in.get(b);
        yield new ByteString(b);
      }
      case TEXT, VARCHAR, BPCHAR -> {
        byte[] b = new byte[in.getInt()];
        in.get(b);
        yield new String(b, StandardCharsets.UTF_8);
      }
    };
  }
}
