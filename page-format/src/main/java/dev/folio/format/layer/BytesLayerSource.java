package dev.folio.format.layer;

import java.io.EOFException;

/** A layer file held in memory. */
public final class BytesLayerSource implements LayerSource {
  private final String name;
  private final byte[] bytes;

  public BytesLayerSource(String name, byte[] bytes) {
    this.name = name;
    this.bytes = bytes;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public long size() {
    return bytes.length;
  }

  @Override
  public void readFully(long position, byte[] dst, int offset, int length) throws EOFException {
    if (position < 0 || position + length > bytes.length) {
      throw new EOFException(name + " has " + bytes.length + " bytes; cannot read " + length + " at " + position);
    }
    System.arraycopy(bytes, (int) position, dst, offset, length);
  }
}
