package dev.folio.wal.topic;

import dev.folio.format.FormatException;

/** An existing WAL topic whose settings would break one of Folio's invariants: refused, never used. */
public class WalTopicException extends FormatException {
  public WalTopicException(String message) {
    super("WAL_TOPIC_INVALID", message);
  }

  public WalTopicException(String message, Throwable cause) {
    super("WAL_TOPIC_INVALID", message, cause);
  }
}
