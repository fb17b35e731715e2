package dev.folio.format.page;

import dev.folio.format.FormatException;

/** Bytes that claim to be a page but are not one: wrong size, bad checksum, impossible header. */
public class PageCorruptedException extends FormatException {
  public PageCorruptedException(String message) {
    super("PAGE_CORRUPT", message);
  }
}
