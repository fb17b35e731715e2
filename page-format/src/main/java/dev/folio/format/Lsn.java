package dev.folio.format;

/**
 * A log sequence number: an unsigned 64-bit position in a timeline's WAL. A record's LSN is the
 * position where it ends, and a page's LSN is that of the last record applied to it. Printed as
 * PostgreSQL prints {@code pg_lsn}: the high and low 32 bits in upper-case hex, without padding,
 * separated by a slash ({@code 0/16B3748}). LSN 0 is "invalid": no record ends there.
 */
public record Lsn(long value) implements Comparable<Lsn> {
  public static final Lsn INVALID = new Lsn(0);
  public static final Lsn MAX = new Lsn(-1L);

  public static Lsn of(long value) {
    return new Lsn(value);
  }

  /** Parses {@code X/Y} where X and Y are 1 to 8 hex digits (either case), as PostgreSQL does. */
  public static Lsn parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("LSN is missing");
    }
    int slash = text.indexOf('/');
    int lowDigits = text.length() - slash - 1;
    boolean valid = slash >= 1 && slash <= 8 && lowDigits >= 1 && lowDigits <= 8;
    for (int i = 0; valid && i < text.length(); i++) {
      char c = text.charAt(i);
      valid = i == slash || (c < 128 && Character.digit(c, 16) >= 0);
    }
    if (!valid) {
      throw new IllegalArgumentException("invalid LSN \"" + text + "\": expected X/Y in hex, e.g. 0/16B3748");
    }
    long high = Long.parseLong(text, 0, slash, 16);
    long low = Long.parseLong(text, slash + 1, text.length(), 16);
    return new Lsn(high << 32 | low);
  }

  public static String format(long value) {
    return Integer.toHexString((int) (value >>> 32)).toUpperCase() + "/"
        + Integer.toHexString((int) value).toUpperCase();
  }

  public static int compare(long a, long b) {
    return Long.compareUnsigned(a, b);
  }

  public static long min(long a, long b) {
    return compare(a, b) <= 0 ? a : b;
  }

  public static long max(long a, long b) {
    return compare(a, b) >= 0 ? a : b;
  }

  public boolean isValid() {
    return value != 0;
  }

  @Override
  public int compareTo(Lsn other) {
    return compare(value, other.value);
  }

  @Override
  public String toString() {
    return format(value);
  }
}
