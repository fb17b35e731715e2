package dev.folio.wal.writer;

/**
 * Another writer took over this writer's timeline (DESIGN invariant 4: one writer per timeline).
 * Every pending and later call of the fenced writer fails with this; it never writes again.
 */
public class WalWriterFencedException extends WalWriterException {
  public WalWriterFencedException(String timeline, Throwable cause) {
    super("WAL_WRITER_FENCED", "another writer took over timeline " + timeline + "; this one was fenced", cause);
  }
}
