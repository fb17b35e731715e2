package dev.folio.format.redo;

import dev.folio.format.FormatException;

/**
 * A record that cannot be applied to the page it meets. Applying it would corrupt the page, so
 * redo refuses; the materializer sends such a record to the dead-letter topic.
 */
public class RedoException extends FormatException {
  /** Why redo refused. */
  public enum Reason {
    /** The record changes a page, but there is no page to change and it is not will_init. */
    NO_BASE,
    /** The record's LSN is not after the page's LSN: applied twice, or out of order. */
    LSN_NOT_AFTER_PAGE,
    /** The record breaks a rule of the contract on its own (see WalRecords.problem). */
    INVALID_RECORD,
    /** The record is for another kind of page. */
    WRONG_PAGE_TYPE,
    /** A line pointer the record names does not exist or holds the wrong kind of item. */
    BAD_OFFSET,
    /** The new item does not fit in the page's free space. */
    NO_SPACE,
    /** A value the record carries is impossible for this page (length, counter, status). */
    BAD_VALUE,
    /** The full page image in the record is not a sound page. */
    BAD_IMAGE
  }

  private final Reason reason;

  public RedoException(Reason reason, String message) {
    super("REDO_" + reason.name(), message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
