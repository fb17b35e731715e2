package dev.folio.wal.writer;

import dev.folio.format.FormatException;

/**
 * A WAL writer that can write no more. Whatever it had not acknowledged is either wholly in the
 * log or wholly absent; a new writer for the timeline resumes after the last committed flush.
 */
public class WalWriterException extends FormatException {
  public WalWriterException(String code, String message, Throwable cause) {
    super(code, message, cause);
  }

  /** The transaction of a flush failed and was aborted (or its outcome is unknown). */
  public static WalWriterException failed(String message, Throwable cause) {
    return new WalWriterException("WAL_WRITER_FAILED", message, cause);
  }

  /** The writer was closed. */
  public static WalWriterException closed(String timeline) {
    return new WalWriterException("WAL_WRITER_CLOSED", "the WAL writer of timeline " + timeline + " is closed", null);
  }
}
