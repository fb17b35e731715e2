package dev.folio.format.page;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The 8 KiB page, byte by byte. Every page of every relation has this shape; it follows
 * PostgreSQL's slotted page (bufpage.h) with a CRC32C checksum and 64-bit LSNs. All integers are
 * big-endian.
 *
 * <pre>
 * offset size  header (24 bytes)
 *      0    8  lsn        LSN of the last WAL record applied to the page
 *      8    4  checksum   CRC32C of bytes [0, 8) and [12, 8192): everything but this field
 *     12    2  flags      bit 0 HAS_FREE_LINES: some line pointer is unused
 *     14    1  type       {@link PageType} code
 *     15    1  version    layout version, 1
 *     16    2  lower      end of the line pointer array
 *     18    2  upper      start of item storage
 *     20    2  special    start of the special space (8192 when there is none)
 *     22    2  reserved   0
 *
 *     24  4*n  line pointers 1..n, each: u16 item offset, u16 (flags &lt;&lt; 14 | length)
 *              flags: 0 UNUSED (offset and length 0), 1 NORMAL, 2 REDIRECT, 3 DEAD
 *  lower .. upper   free space, always zero
 *  upper .. special items, each starting at a multiple of 8 (MAXALIGN), padding zero
 *  special .. 8192  special space of the page type (b-tree siblings; the payload of fixed pages)
 * </pre>
 *
 * Pages with a fixed payload (metapage, commit-log page, control page) have no line pointers:
 * lower = upper = special = 24, and the payload is the special space.
 *
 * <p>These are static helpers over {@code byte[]} so that redo can change a private working copy
 * without allocating; {@link Page} is the immutable form handed to everyone else.
 */
public final class PageLayout {
  public static final int PAGE_SIZE = 8192;
  public static final int HEADER_SIZE = 24;
  public static final int LINE_POINTER_SIZE = 4;
  public static final int LAYOUT_VERSION = 1;
  public static final int ALIGNMENT = 8;
  /** The largest item that fits on an otherwise empty page with no special space. */
  public static final int MAX_ITEM_SIZE = PAGE_SIZE - HEADER_SIZE - LINE_POINTER_SIZE;

  public static final int FLAG_HAS_FREE_LINES = 1;

  public static final int ITEM_UNUSED = 0;
  public static final int ITEM_NORMAL = 1;
  public static final int ITEM_REDIRECT = 2;
  public static final int ITEM_DEAD = 3;

  static final int OFF_LSN = 0;
  static final int OFF_CHECKSUM = 8;
  static final int OFF_FLAGS = 12;
  static final int OFF_TYPE = 14;
  static final int OFF_VERSION = 15;
  static final int OFF_LOWER = 16;
  static final int OFF_UPPER = 18;
  static final int OFF_SPECIAL = 20;

  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);

  private PageLayout() {}

  // ---- primitive access, big-endian -------------------------------------------------------------

  public static long getLong(byte[] p, int at) {
    return (long) LONG.get(p, at);
  }

  public static void putLong(byte[] p, int at, long v) {
    LONG.set(p, at, v);
  }

  public static int getInt(byte[] p, int at) {
    return (int) INT.get(p, at);
  }

  public static void putInt(byte[] p, int at, int v) {
    INT.set(p, at, v);
  }

  public static int getU16(byte[] p, int at) {
    return (short) SHORT.get(p, at) & 0xFFFF;
  }

  public static void putU16(byte[] p, int at, int v) {
    SHORT.set(p, at, (short) v);
  }

  // ---- header -----------------------------------------------------------------------------------

  public static long lsn(byte[] p) {
    return getLong(p, OFF_LSN);
  }

  public static void setLsn(byte[] p, long lsn) {
    putLong(p, OFF_LSN, lsn);
  }

  public static int storedChecksum(byte[] p) {
    return getInt(p, OFF_CHECKSUM);
  }

  public static int flags(byte[] p) {
    return getU16(p, OFF_FLAGS);
  }

  public static void setFlags(byte[] p, int flags) {
    putU16(p, OFF_FLAGS, flags);
  }

  public static int typeCode(byte[] p) {
    return p[OFF_TYPE] & 0xFF;
  }

  public static int version(byte[] p) {
    return p[OFF_VERSION] & 0xFF;
  }

  public static int lower(byte[] p) {
    return getU16(p, OFF_LOWER);
  }

  public static void setLower(byte[] p, int v) {
    putU16(p, OFF_LOWER, v);
  }

  public static int upper(byte[] p) {
    return getU16(p, OFF_UPPER);
  }

  public static void setUpper(byte[] p, int v) {
    putU16(p, OFF_UPPER, v);
  }

  public static int special(byte[] p) {
    return getU16(p, OFF_SPECIAL);
  }

  public static int freeSpace(byte[] p) {
    return upper(p) - lower(p);
  }

  /**
   * Makes {@code p} an empty page of this type, zero everywhere else. A page with line pointers
   * gets {@code specialSize} bytes of special space at its end; a fixed page gets all of it.
   */
  public static void init(byte[] p, PageType type, int specialSize) {
    Arrays.fill(p, (byte) 0);
    p[OFF_TYPE] = (byte) type.code();
    p[OFF_VERSION] = (byte) LAYOUT_VERSION;
    int special = type.hasLinePointers() ? PAGE_SIZE - specialSize : HEADER_SIZE;
    setLower(p, HEADER_SIZE);
    setUpper(p, special);
    putU16(p, OFF_SPECIAL, special);
  }

  // ---- checksum ---------------------------------------------------------------------------------

  public static int computeChecksum(byte[] p) {
    CRC32C crc = new CRC32C();
    crc.update(p, 0, OFF_CHECKSUM);
    crc.update(p, OFF_CHECKSUM + 4, PAGE_SIZE - OFF_CHECKSUM - 4);
    return (int) crc.getValue();
  }

  /** Stores the checksum of the page's current contents: the last step of every change. */
  public static void seal(byte[] p) {
    putInt(p, OFF_CHECKSUM, computeChecksum(p));
  }

  /**
   * Checks the checksum and that the header describes a possible page. Returns null when the page
   * is sound, or what is wrong with it.
   */
  public static String problem(byte[] p) {
    if (p.length != PAGE_SIZE) {
      return "a page has " + PAGE_SIZE + " bytes, not " + p.length;
    }
    int stored = storedChecksum(p);
    int computed = computeChecksum(p);
    if (stored != computed) {
      return String.format("checksum mismatch: stored %08x, computed %08x", stored, computed);
    }
    if (version(p) != LAYOUT_VERSION) {
      return "unknown page layout version " + version(p);
    }
    if (PageType.fromCode(typeCode(p)) == null) {
      return "unknown page type " + typeCode(p);
    }
    int lower = lower(p);
    int upper = upper(p);
    int special = special(p);
    if (lower < HEADER_SIZE || lower > upper || upper > special || special > PAGE_SIZE
        || (lower - HEADER_SIZE) % LINE_POINTER_SIZE != 0) {
      return "impossible free-space pointers: lower " + lower + ", upper " + upper + ", special " + special;
    }
    for (int i = 1, n = itemCount(p); i <= n; i++) {
      int offset = itemOffset(p, i);
      int length = itemLength(p, i);
      boolean unused = itemFlags(p, i) == ITEM_UNUSED;
      if (unused ? offset != 0 || length != 0 : length == 0 || offset < upper || offset + length > special) {
        return "line pointer " + i + " is impossible: offset " + offset + ", length " + length
            + ", flags " + itemFlags(p, i);
      }
    }
    return null;
  }

  // ---- line pointers ----------------------------------------------------------------------------

  public static int itemCount(byte[] p) {
    return (lower(p) - HEADER_SIZE) / LINE_POINTER_SIZE;
  }

  private static int linePointer(int offsetNumber) {
    return HEADER_SIZE + (offsetNumber - 1) * LINE_POINTER_SIZE;
  }

  public static int itemOffset(byte[] p, int offsetNumber) {
    return getU16(p, linePointer(offsetNumber));
  }

  public static int itemLength(byte[] p, int offsetNumber) {
    return getU16(p, linePointer(offsetNumber) + 2) & 0x3FFF;
  }

  public static int itemFlags(byte[] p, int offsetNumber) {
    return getU16(p, linePointer(offsetNumber) + 2) >>> 14;
  }

  public static void setItem(byte[] p, int offsetNumber, int offset, int length, int flags) {
    int lp = linePointer(offsetNumber);
    putU16(p, lp, offset);
    putU16(p, lp + 2, flags << 14 | length);
  }

  public static int align(int length) {
    return (length + ALIGNMENT - 1) & -ALIGNMENT;
  }

  /**
   * Stores {@code length} bytes of item storage below {@code upper} and returns where they start;
   * the caller fills them. The caller has checked that they fit.
   */
  public static int allocate(byte[] p, int length) {
    int upper = upper(p) - align(length);
    setUpper(p, upper);
    return upper;
  }

  /** Appends a line pointer after the last one; the caller has checked that it fits. */
  public static void appendLinePointer(byte[] p) {
    setLower(p, lower(p) + LINE_POINTER_SIZE);
  }

  /** Shifts line pointers {@code at..n} one place up, leaving slot {@code at} to be set. */
  public static void openLinePointer(byte[] p, int at) {
    int n = itemCount(p);
    int from = linePointer(at);
    System.arraycopy(p, from, p, from + LINE_POINTER_SIZE, (n - at + 1) * LINE_POINTER_SIZE);
    appendLinePointer(p);
  }

  /** True if any line pointer is unused. */
  public static boolean hasUnusedItem(byte[] p) {
    for (int i = 1, n = itemCount(p); i <= n; i++) {
      if (itemFlags(p, i) == ITEM_UNUSED) {
        return true;
      }
    }
    return false;
  }

  /** Keeps {@link #FLAG_HAS_FREE_LINES} true to the line pointers. */
  public static void updateFreeLinesFlag(byte[] p) {
    int flags = flags(p);
    setFlags(p, hasUnusedItem(p) ? flags | FLAG_HAS_FREE_LINES : flags & ~FLAG_HAS_FREE_LINES);
  }

  /**
   * Rewrites item storage densely against the special space, items in line-pointer order, and
   * zeroes the free space. Line pointer numbers do not change, so tuple ids stay valid. Used after
   * items were removed; deterministic, as redo must be.
   */
  public static void compact(byte[] p) {
    int n = itemCount(p);
    int special = special(p);
    int base = upper(p);
    // Copy from a snapshot: an item's new place may overlap another item's old one.
    byte[] storage = Arrays.copyOfRange(p, base, special);
    Arrays.fill(p, lower(p), special, (byte) 0);
    int upper = special;
    for (int i = 1; i <= n; i++) {
      int length = itemLength(p, i);
      if (length == 0) {
        continue;
      }
      upper -= align(length);
      System.arraycopy(storage, itemOffset(p, i) - base, p, upper, length);
      setItem(p, i, upper, length, itemFlags(p, i));
    }
    setUpper(p, upper);
  }

  /** Drops unused line pointers at the end of the array, as PostgreSQL's pruning does. */
  public static void truncateUnusedLinePointers(byte[] p) {
    int n = itemCount(p);
    while (n > 0 && itemFlags(p, n) == ITEM_UNUSED) {
      putInt(p, linePointer(n), 0);
      n--;
    }
    setLower(p, HEADER_SIZE + n * LINE_POINTER_SIZE);
  }

  /**
   * Removes line pointers (1-based, ascending, distinct) and closes the gaps: the items after them
   * get new numbers. B-tree pages use this; heap pages mark pointers unused instead.
   */
  public static void removeLinePointers(byte[] p, int[] ascending) {
    int n = itemCount(p);
    int kept = 0;
    int next = 0;
    for (int i = 1; i <= n; i++) {
      if (next < ascending.length && ascending[next] == i) {
        next++;
        continue;
      }
      kept++;
      if (kept != i) {
        putInt(p, linePointer(kept), getInt(p, linePointer(i)));
      }
    }
    Arrays.fill(p, linePointer(kept + 1), linePointer(n + 1), (byte) 0);
    setLower(p, HEADER_SIZE + kept * LINE_POINTER_SIZE);
  }
}
