package dev.folio.format;

/**
 * Base of every error the format raises: bad bytes, bad records, impossible redo. Each carries a
 * stable {@link #code()} so that callers (the dead-letter topic, gRPC status, SQLSTATE mapping)
 * can answer with a reason instead of a stack trace.
 */
public class FormatException extends RuntimeException {
  private final String code;

  public FormatException(String code, String message) {
    super(code + ": " + message);
    this.code = code;
  }

  public FormatException(String code, String message, Throwable cause) {
    super(code + ": " + message, cause);
    this.code = code;
  }

  /** A stable, machine-readable reason, e.g. {@code REDO_NO_BASE} or {@code LAYER_CORRUPT}. */
  public String code() {
    return code;
  }
}
