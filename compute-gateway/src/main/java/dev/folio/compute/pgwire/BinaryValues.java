package dev.folio.compute.pgwire;

import io.netty.buffer.ByteBuf;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.Locale;

/**
 * PostgreSQL's binary forms of the values whose text forms the session gives, for clients that ask
 * for binary results (pgjdbc does, for prepared statements), and back for binary parameters.
 *
 * <pre>
 * date         int32 days since 2000-01-01
 * timestamp    int64 microseconds since 2000-01-01 00:00:00 (UTC for timestamptz)
 * numeric      int16 ndigits, int16 weight (of the first base-10000 digit), int16 sign (0, or 0x4000 for
 *              negative), int16 display scale, then ndigits int16 base-10000 digits
 * </pre>
 */
final class BinaryValues {
  private static final long POSTGRES_EPOCH_DAY = LocalDate.of(2000, 1, 1).toEpochDay();
  private static final long POSTGRES_EPOCH_MICROS = POSTGRES_EPOCH_DAY * 86_400_000_000L;
  private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
      .appendPattern("yyyy-MM-dd HH:mm:ss").optionalStart()
      .appendFraction(ChronoField.MICRO_OF_SECOND, 0, 6, true).optionalEnd()
      .optionalStart().appendOffset("+HH", "+00").optionalEnd().toFormatter(Locale.ROOT);

  private BinaryValues() {}

  static int date(String text) {
    return (int) (LocalDate.parse(text).toEpochDay() - POSTGRES_EPOCH_DAY);
  }

  static String date(int days) {
    return LocalDate.ofEpochDay(days + POSTGRES_EPOCH_DAY).toString();
  }

  static long timestamp(String text) {
    LocalDateTime t = LocalDateTime.parse(text, TIMESTAMP);
    return t.toEpochSecond(ZoneOffset.UTC) * 1_000_000 + t.getNano() / 1000 - POSTGRES_EPOCH_MICROS;
  }

  /** A binary timestamp as text the session reads (ISO, UTC). */
  static String timestamp(long micros) {
    long since = micros + POSTGRES_EPOCH_MICROS;
    LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(since, 1_000_000),
        (int) Math.floorMod(since, 1_000_000) * 1000, ZoneOffset.UTC);
    return t.toString().replace('T', ' ') + "+00";
  }

  /** A binary numeric as its text. */
  static String numeric(java.nio.ByteBuffer in) {
    int ndigits = in.getShort();
    int weight = in.getShort();
    int sign = in.getShort() & 0xFFFF;
    int scale = in.getShort();
    if (sign == 0xC000) {
      return "NaN";
    }
    BigDecimal value = BigDecimal.ZERO;
    for (int i = 0; i < ndigits; i++) {
      value = value.add(BigDecimal.valueOf(in.getShort()).scaleByPowerOfTen(4 * (weight - i)));
    }
    value = value.setScale(scale, java.math.RoundingMode.UNNECESSARY);
    return (sign == 0x4000 ? value.negate() : value).toPlainString();
  }

  static void numeric(ByteBuf out, BigDecimal value) {
    BigDecimal abs = value.abs();
    String plain = abs.toPlainString();
    int point = plain.indexOf('.');
    String whole = point < 0 ? plain : plain.substring(0, point);
    String fraction = point < 0 ? "" : plain.substring(point + 1);
    whole = "0".repeat((4 - whole.length() % 4) % 4) + whole;
    fraction = fraction + "0".repeat((4 - fraction.length() % 4) % 4);
    String all = whole + fraction;
    int groups = all.length() / 4;
    int weight = whole.length() / 4 - 1;
    int first = 0;
    while (first < groups && all.startsWith("0000", first * 4)) {
      first++;
      weight--;
    }
    int last = groups;
    while (last > first && all.startsWith("0000", (last - 1) * 4)) {
      last--;
    }
    int ndigits = last - first;
    out.writeInt(8 + 2 * ndigits);
    out.writeShort(ndigits);
    out.writeShort(ndigits == 0 ? 0 : weight);
    out.writeShort(value.signum() < 0 ? 0x4000 : 0);
    out.writeShort(Math.max(0, value.scale()));
    for (int g = first; g < last; g++) {
      out.writeShort(Integer.parseInt(all.substring(g * 4, g * 4 + 4)));
    }
  }
}
