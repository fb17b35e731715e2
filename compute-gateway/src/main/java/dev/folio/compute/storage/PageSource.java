package dev.folio.compute.storage;

import dev.folio.format.PageKey;
import dev.folio.format.page.Page;
import java.util.ArrayList;
import java.util.List;

/** Where a compute gets the pages it does not hold: the page service, at an exact LSN. */
public interface PageSource {
  /**
   * The page as of {@code requestLsn}, waiting until the source has everything up to
   * {@code notModifiedSince}; null if nobody ever wrote the page.
   */
  Page get(PageKey key, long requestLsn, long notModifiedSince);

  /**
   * The LSN of the timeline's last commit at or before {@code time}; an IllegalArgumentException
   * says why there is none.
   */
  long lsnAt(java.time.Instant time);

  /** Many pages at one LSN, in the order of {@code keys} (null for a page nobody wrote). */
  default List<Page> getMany(List<PageKey> keys, long requestLsn, long notModifiedSince) {
    List<Page> pages = new ArrayList<>(keys.size());
    for (PageKey key : keys) {
      pages.add(get(key, requestLsn, notModifiedSince));
    }
    return pages;
  }
}
