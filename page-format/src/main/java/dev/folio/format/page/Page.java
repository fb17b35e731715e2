package dev.folio.format.page;

import dev.folio.format.Lsn;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * An immutable 8 KiB page whose checksum and header have been verified (layout: {@link
 * PageLayout}). Pages are made only by {@link #of} (bytes from outside, checked) and by redo
 * ({@link #seal}); no one can change one afterwards, so a page can be shared freely between
 * caches and threads.
 */
public final class Page {
  public static final int SIZE = PageLayout.PAGE_SIZE;

  private final byte[] bytes;

  private Page(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Copies and verifies page bytes read from anywhere outside this process. */
  public static Page of(byte[] bytes) {
    return of(bytes, 0, bytes.length);
  }

  public static Page of(byte[] buf, int offset, int length) {
    if (length != SIZE) {
      throw new PageCorruptedException("a page has " + SIZE + " bytes, not " + length);
    }
    byte[] copy = Arrays.copyOfRange(buf, offset, offset + length);
    String problem = PageLayout.problem(copy);
    if (problem != null) {
      throw new PageCorruptedException(problem);
    }
    return new Page(copy);
  }

  /**
   * Seals a working copy into a page: stores its checksum and takes ownership. The caller must not
   * touch {@code owned} afterwards. Redo is the one caller.
   */
  public static Page seal(byte[] owned) {
    if (owned.length != SIZE) {
      throw new IllegalArgumentException("a page has " + SIZE + " bytes, not " + owned.length);
    }
    PageLayout.seal(owned);
    return new Page(owned);
  }

  /** A fresh copy of the bytes, e.g. to start a change from. */
  public byte[] toByteArray() {
    return bytes.clone();
  }

  public void copyTo(byte[] dst, int offset) {
    System.arraycopy(bytes, 0, dst, offset, SIZE);
  }

  public ByteBuffer asReadOnlyBuffer() {
    return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
  }

  public long lsnValue() {
    return PageLayout.lsn(bytes);
  }

  public Lsn lsn() {
    return Lsn.of(lsnValue());
  }

  public int checksum() {
    return PageLayout.storedChecksum(bytes);
  }

  public PageType type() {
    return PageType.fromCode(PageLayout.typeCode(bytes));
  }

  public int flags() {
    return PageLayout.flags(bytes);
  }

  public int lower() {
    return PageLayout.lower(bytes);
  }

  public int upper() {
    return PageLayout.upper(bytes);
  }

  public int special() {
    return PageLayout.special(bytes);
  }

  public int freeSpace() {
    return PageLayout.freeSpace(bytes);
  }

  public int itemCount() {
    return PageLayout.itemCount(bytes);
  }

  public int itemFlags(int offsetNumber) {
    checkItem(offsetNumber);
    return PageLayout.itemFlags(bytes, offsetNumber);
  }

  public int itemLength(int offsetNumber) {
    checkItem(offsetNumber);
    return PageLayout.itemLength(bytes, offsetNumber);
  }

  /** The item's bytes, read-only; empty for an unused line pointer. */
  public ByteBuffer item(int offsetNumber) {
    checkItem(offsetNumber);
    return ByteBuffer.wrap(bytes, PageLayout.itemOffset(bytes, offsetNumber), PageLayout.itemLength(bytes, offsetNumber))
        .slice()
        .asReadOnlyBuffer();
  }

  /**
   * Compares the item's bytes from {@code skip} on, cut to the length of {@code bound}, with
   * {@code bound}, unsigned: 0 if they start with it, negative if they sort before everything that
   * does. Index searches use it to compare keys in place.
   */
  public int compareItemPrefix(int offsetNumber, int skip, byte[] bound) {
    checkItem(offsetNumber);
    int from = PageLayout.itemOffset(bytes, offsetNumber) + skip;
    int length = Math.min(PageLayout.itemLength(bytes, offsetNumber) - skip, bound.length);
    return Arrays.compareUnsigned(bytes, from, from + length, bound, 0, bound.length);
  }

  int getInt(int at) {
    return PageLayout.getInt(bytes, at);
  }

  long getLong(int at) {
    return PageLayout.getLong(bytes, at);
  }

  int getU16(int at) {
    return PageLayout.getU16(bytes, at);
  }

  int getByte(int at) {
    return bytes[at] & 0xFF;
  }

  private void checkItem(int offsetNumber) {
    if (offsetNumber < 1 || offsetNumber > itemCount()) {
      throw new IndexOutOfBoundsException("no line pointer " + offsetNumber + " on a page with " + itemCount());
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Page other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return type() + " page at " + lsn() + " with " + itemCount() + " items, " + freeSpace() + " bytes free";
  }
}
