package dev.folio.format.layer;

import dev.folio.format.FormatException;

/** A layer file whose bytes are not what its writer wrote: names the file and the offset. */
public class LayerCorruptedException extends FormatException {
  private final String file;
  private final long offset;

  public LayerCorruptedException(String file, long offset, String message) {
    super("LAYER_CORRUPT", "layer file " + file + " is corrupt at offset " + offset + ": " + message);
    this.file = file;
    this.offset = offset;
  }

  public String file() {
    return file;
  }

  public long offset() {
    return offset;
  }
}
