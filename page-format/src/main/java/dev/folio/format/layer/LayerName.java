package dev.folio.format.layer;

import dev.folio.format.PageKey;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name of a layer file, which says what it holds without opening it:
 *
 * <pre>
 *   {firstKey}-{lastKey}__{lsnStart}-{lsnEnd}.{generation}.delta
 *   {firstKey}-{lastKey}__{lsn}.{generation}.image
 * </pre>
 *
 * Keys are 26 hex digits (the 13-byte page key encoding), LSNs 16 hex digits; a delta layer's LSN
 * range is [start, end). The generation is a token unique to the writer (e.g. checkpoint, subtask
 * and attempt), so that a layer is written once under a name no retry reuses (DESIGN invariant 7).
 */
public record LayerName(LayerKind kind, PageKey firstKey, PageKey lastKey, long lsnStart, long lsnEnd,
    String generation) {
  private static final HexFormat HEX = HexFormat.of().withUpperCase();
  private static final Pattern GENERATION = Pattern.compile("[0-9a-z]{1,40}");
  private static final Pattern NAME = Pattern.compile(
      "([0-9A-F]{26})-([0-9A-F]{26})__([0-9A-F]{16})(?:-([0-9A-F]{16}))?\\.([0-9a-z]{1,40})\\.(delta|image)");

  public LayerName {
    if (firstKey.compareTo(lastKey) > 0) {
      throw new IllegalArgumentException("first key " + firstKey + " after last key " + lastKey);
    }
    if (kind == LayerKind.IMAGE ? lsnEnd != lsnStart + 1 : Long.compareUnsigned(lsnStart, lsnEnd) >= 0) {
      throw new IllegalArgumentException("empty or impossible LSN range for a " + kind + " layer");
    }
    if (generation == null || !GENERATION.matcher(generation).matches()) {
      throw new IllegalArgumentException("a layer generation is 1 to 40 lowercase letters or digits, not \""
          + generation + "\"");
    }
  }

  public static LayerName delta(PageKey firstKey, PageKey lastKey, long lsnStart, long lsnEnd, String generation) {
    return new LayerName(LayerKind.DELTA, firstKey, lastKey, lsnStart, lsnEnd, generation);
  }

  public static LayerName image(PageKey firstKey, PageKey lastKey, long lsn, String generation) {
    return new LayerName(LayerKind.IMAGE, firstKey, lastKey, lsn, lsn + 1, generation);
  }

  public static LayerName parse(String fileName) {
    Matcher m = NAME.matcher(fileName);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a layer file name: " + fileName);
    }
    LayerKind kind = LayerKind.fromExtension(m.group(6));
    PageKey first = PageKey.decode(HEX.parseHex(m.group(1)));
    PageKey last = PageKey.decode(HEX.parseHex(m.group(2)));
    long start = HexFormat.fromHexDigitsToLong(m.group(3));
    if (kind == LayerKind.IMAGE) {
      if (m.group(4) != null) {
        throw new IllegalArgumentException("an image layer name has one LSN: " + fileName);
      }
      return image(first, last, start, m.group(5));
    }
    if (m.group(4) == null) {
      throw new IllegalArgumentException("a delta layer name has an LSN range: " + fileName);
    }
    return delta(first, last, start, HexFormat.fromHexDigitsToLong(m.group(4)), m.group(5));
  }

  /** The image LSN of an image layer. */
  public long lsn() {
    return lsnStart;
  }

  @Override
  public String toString() {
    String lsns = HEX.toHexDigits(lsnStart) + (kind == LayerKind.DELTA ? "-" + HEX.toHexDigits(lsnEnd) : "");
    return HEX.formatHex(firstKey.encode()) + "-" + HEX.formatHex(lastKey.encode()) + "__" + lsns + "."
        + generation + "." + kind.extension();
  }
}
