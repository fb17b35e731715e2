package dev.folio.compute.session;

/** A {@code COPY … FROM STDIN} that waits for its data (CopyData messages until CopyDone). */
public interface CopyIn {
  /** How many columns each row has. */
  int columns();

  /** Loads the data, all of it or none (a failure is the statement's error); the tag is {@code COPY n}. */
  StatementResult finish(byte[] data);
}
