package dev.folio.format.index;

import dev.folio.format.FormatException;

/** A timeline index file that cannot be read: not JSON, an unknown version, a missing field. */
public class IndexFormatException extends FormatException {
  public IndexFormatException(String message, Throwable cause) {
    super("INDEX_INVALID", message, cause);
  }

  public IndexFormatException(String message) {
    super("INDEX_INVALID", message);
  }
}
