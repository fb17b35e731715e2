package dev.folio.format.layer;

import java.io.Closeable;
import java.io.IOException;

/**
 * Where a layer file's bytes come from: a local file, a byte array, or (outside this module) ranged
 * GETs on S3 through a disk cache. Reads are positional, so one source serves many readers.
 */
public interface LayerSource extends Closeable {
  /** The file's name, for error messages. */
  String name();

  long size() throws IOException;

  /** Reads exactly {@code length} bytes at {@code position}; fails if the file ends first. */
  void readFully(long position, byte[] dst, int offset, int length) throws IOException;

  @Override
  default void close() throws IOException {}
}
