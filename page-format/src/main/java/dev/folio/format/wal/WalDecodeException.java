package dev.folio.format.wal;

import dev.folio.format.FormatException;

/**
 * A Kafka value or stored record that is not a WAL message this reader understands. The reason
 * says which way it failed, so that the dead-letter topic can say why.
 */
public class WalDecodeException extends FormatException {
  /** How decoding failed. */
  public enum Reason {
    /** Not Avro single-object encoding: no 0xC3 0x01 marker or too short. */
    NOT_SINGLE_OBJECT,
    /** A well-formed header whose schema fingerprint no known schema has. */
    UNKNOWN_SCHEMA,
    /** The body does not decode with the schema its fingerprint names. */
    MALFORMED,
    /** It decodes, but breaks a rule of the contract (a negative block, will_init on a change...). */
    INVALID
  }

  private final Reason reason;

  public WalDecodeException(Reason reason, String message) {
    super("WAL_" + reason.name(), message);
    this.reason = reason;
  }

  public WalDecodeException(Reason reason, String message, Throwable cause) {
    super("WAL_" + reason.name(), message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
