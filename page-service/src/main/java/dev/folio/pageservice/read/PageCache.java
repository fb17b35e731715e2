package dev.folio.pageservice.read;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.page.Page;
import dev.folio.format.page.PageLayout;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Reconstructed pages, bounded by bytes (Caffeine, weighed by the page size). An entry is the
 * page of a timeline as read at some LSN {@code asOf}: since nothing changed the page between its
 * own LSN and {@code asOf}, it is the answer for every LSN in that range. History below the
 * ingested LSN never changes, so entries never go stale; a newer read replaces an older one.
 */
final class PageCache {
  private record Key(TimelineId timeline, PageKey page) {}

  private record Entry(Page page, long asOf) {}

  private final Cache<Key, Entry> cache;
  private final Counter hits;
  private final Counter misses;

  PageCache(long maxBytes, MeterRegistry registry) {
    this.cache = Caffeine.newBuilder().maximumWeight(maxBytes).weigher((Key k, Entry e) -> PageLayout.PAGE_SIZE + 64)
        .build();
    hits = Counter.builder("folio.pageservice.page.cache.hits").register(registry);
    misses = Counter.builder("folio.pageservice.page.cache.misses").register(registry);
  }

  /** The page as of {@code lsn}, if an entry covers that LSN. */
  Page get(TimelineId timeline, PageKey key, long lsn) {
    Entry e = cache.getIfPresent(new Key(timeline, key));
    if (e != null && Lsn.compare(e.page().lsnValue(), lsn) <= 0 && Lsn.compare(lsn, e.asOf()) <= 0) {
      hits.increment();
      return e.page();
    }
    misses.increment();
    return null;
  }

  void put(TimelineId timeline, PageKey key, Page page, long asOf) {
    cache.asMap().merge(new Key(timeline, key), new Entry(page, asOf),
        (old, fresh) -> Lsn.compare(fresh.asOf(), old.asOf()) >= 0 ? fresh : old);
  }
}
