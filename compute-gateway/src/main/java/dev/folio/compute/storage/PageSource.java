package dev.folio.compute.storage;

import dev.folio.format.PageKey;
import dev.folio.format.page.Page;

/** Where a compute gets the pages it does not hold: the page service, at an exact LSN. */
public interface PageSource {
  /**
   * The page as of {@code requestLsn}, waiting until the source has everything up to
   * {@code notModifiedSince}; null if nobody ever wrote the page.
   */
  Page get(PageKey key, long requestLsn, long notModifiedSince);
}
