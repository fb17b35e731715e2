package dev.folio.format;

import dev.folio.schemas.wal.Fork;
import dev.folio.schemas.wal.PageAddress;
import java.nio.ByteBuffer;

/**
 * Which page, within a timeline: database, relation, fork and block. Ordered by those fields in
 * that order. Its 13-byte encoding (big-endian database, relation, fork, block) sorts byte-wise in
 * the same order; it is the Kafka record key of every WAL record, so all versions of a page land
 * in one partition, in LSN order (DESIGN invariant 2).
 */
public record PageKey(int database, int relation, Fork fork, int block) implements Comparable<PageKey> {
  public static final int ENCODED_SIZE = 13;
  private static final Fork[] FORKS = Fork.values();

  public PageKey {
    if (database < 0 || relation < 0 || block < 0) {
      throw new IllegalArgumentException("invalid page key: database " + database + ", relation " + relation
          + ", block " + block + " (each must be >= 0)");
    }
    if (fork == null) {
      throw new IllegalArgumentException("invalid page key: fork is missing");
    }
  }

  public static PageKey of(PageAddress address) {
    return new PageKey(address.getDatabase(), address.getRelation(), address.getFork(), address.getBlock());
  }

  public PageAddress toAddress() {
    return new PageAddress(database, relation, fork, block);
  }

  public byte[] encode() {
    byte[] out = new byte[ENCODED_SIZE];
    encodeTo(ByteBuffer.wrap(out));
    return out;
  }

  public void encodeTo(ByteBuffer out) {
    out.putInt(database).putInt(relation).put((byte) fork.ordinal()).putInt(block);
  }

  public static PageKey decode(byte[] bytes) {
    if (bytes == null || bytes.length != ENCODED_SIZE) {
      throw new IllegalArgumentException("a page key has " + ENCODED_SIZE + " bytes, not "
          + (bytes == null ? "none" : bytes.length));
    }
    return decodeFrom(ByteBuffer.wrap(bytes));
  }

  /** Reads 13 bytes at the buffer's position, advancing it. */
  public static PageKey decodeFrom(ByteBuffer in) {
    int database = in.getInt();
    int relation = in.getInt();
    int fork = in.get() & 0xFF;
    int block = in.getInt();
    if (fork >= FORKS.length) {
      throw new IllegalArgumentException("invalid page key: unknown fork " + fork);
    }
    return new PageKey(database, relation, FORKS[fork], block);
  }

  /** Parses the printed form {@code db/rel/fork/block}, e.g. {@code 1/16384/main/0}. */
  public static PageKey parse(String text) {
    String[] parts = text == null ? new String[0] : text.split("/", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException("invalid page key \"" + text + "\": expected database/relation/fork/block");
    }
    Fork fork = null;
    for (Fork f : FORKS) {
      if (f.name().equalsIgnoreCase(parts[2])) {
        fork = f;
      }
    }
    if (fork == null) {
      throw new IllegalArgumentException("invalid page key \"" + text + "\": unknown fork \"" + parts[2] + "\"");
    }
    try {
      return new PageKey(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), fork, Integer.parseInt(parts[3]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid page key \"" + text + "\": " + e.getMessage(), e);
    }
  }

  @Override
  public int compareTo(PageKey o) {
    int c = Integer.compare(database, o.database);
    if (c == 0) {
      c = Integer.compare(relation, o.relation);
    }
    if (c == 0) {
      c = Integer.compare(fork.ordinal(), o.fork.ordinal());
    }
    return c != 0 ? c : Integer.compare(block, o.block);
  }

  /** Printed as {@code db/rel/fork/block}, e.g. {@code 1/16384/main/0}. */
  @Override
  public String toString() {
    return database + "/" + relation + "/" + fork.name().toLowerCase() + "/" + block;
  }
}
