package dev.folio.pageservice.read;

import dev.folio.format.FormatException;
import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.index.TimelineIndex;
import dev.folio.format.layer.LayerMap;
import dev.folio.format.page.Page;
import dev.folio.format.redo.Redo;
import dev.folio.pageservice.api.ServiceError;
import dev.folio.pageservice.tail.CommitClock;
import dev.folio.pageservice.tail.WalTail;
import dev.folio.pageservice.timeline.TimelineView;
import dev.folio.pageservice.timeline.Timelines;
import dev.folio.schemas.wal.WalRecord;
import io.grpc.Status;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * GetPage@LSN, as Neon's pageserver answers it. The ingested LSN of a timeline is the higher of
 * what its newest index holds and what the Kafka tail has read. A request whose
 * {@code not_modified_since} is above it waits for it (bounded); then the page is read at
 * {@code min(request LSN, ingested LSN)}: the newest image at or below that LSN, the records after
 * it from the layers and then from the tail, folded with the page-format redo the materializer
 * uses. A page the timeline never wrote up to that LSN comes from its ancestor at
 * {@code min(LSN, branch LSN)}, and so on up the tree.
 */
public final class PageReader {
  /** A page and the LSN it was read at. */
  public record Result(Page page, long servedLsn) {}

  private final Timelines timelines;
  private final WalTail tail;
  private final PageCache cache;
  private final Duration maxWait;
  private final Timer waits;
  private final DistributionSummary deltasApplied;

  public PageReader(Timelines timelines, WalTail tail, long cacheBytes, Duration maxWait, MeterRegistry registry) {
    this.timelines = timelines;
    this.tail = tail;
    this.cache = new PageCache(cacheBytes, registry);
    this.maxWait = maxWait;
    this.waits = Timer.builder("folio.pageservice.wait").description("time requests waited for their LSN to arrive")
        .publishPercentileHistogram().register(registry);
    this.deltasApplied = DistributionSummary.builder("folio.pageservice.reconstruct.deltas")
        .description("records applied per page reconstructed").publishPercentileHistogram().register(registry);
  }

  /** The timeline, or NOT_FOUND (TIMELINE_NOT_FOUND). */
  public TimelineView timeline(String tenant, TimelineId timeline) {
    return timelines.get(tenant, timeline).orElseThrow(() -> new ServiceError(Status.Code.NOT_FOUND,
        "TIMELINE_NOT_FOUND", "tenant " + tenant + " has no timeline " + timeline));
  }

  /** Everything of the timeline up to this LSN has been read, from layers or from Kafka. */
  public long ingestedLsn(TimelineView view) {
    return Lsn.max(view.materializedLsn(), tail.progress(view.index().timeline()).ingestedLsn());
  }

  /**
   * @param budget how long the caller may wait for {@code notModifiedSince} (the call's deadline);
   *     never more than the configured maximum
   */
  public Result getPage(String tenant, TimelineId timeline, PageKey key, long requestLsn, long notModifiedSince,
      Duration budget) {
    TimelineView view = timeline(tenant, timeline);
    long retained = view.index().retainedFromLsn();
    if (Lsn.compare(requestLsn, retained) < 0) {
      throw new ServiceError(Status.Code.OUT_OF_RANGE, "LSN_NOT_RETAINED", "LSN " + Lsn.format(requestLsn)
          + " of timeline " + timeline + " is before its retained history, which starts at " + Lsn.format(retained)
          + " (the PITR window)");
    }
    long ingested = awaitIngested(view, notModifiedSince, budget);
    long lsn = Lsn.min(requestLsn, ingested);
    Page page = read(view, key, lsn);
    if (page == null) {
      throw new ServiceError(Status.Code.NOT_FOUND, "PAGE_NOT_FOUND", "page " + key + " of timeline " + timeline
          + " was never written at or before " + Lsn.format(lsn));
    }
    return new Result(page, lsn);
  }

  /** Waits, if need be, until the timeline has ingested {@code lsn}; returns the ingested LSN. */
  public long awaitIngested(TimelineView view, long lsn, Duration budget) {
    long ingested = ingestedLsn(view);
    if (lsn == 0 || Lsn.compare(lsn, ingested) <= 0) {
      return ingested;
    }
    Duration wait = budget.compareTo(maxWait) < 0 ? budget : maxWait;
    long start = System.nanoTime();
    TimelineId timeline = view.index().timeline();
    try {
      tail.await(timeline, p -> Lsn.compare(Lsn.max(p.ingestedLsn(), current(view).materializedLsn()), lsn) >= 0,
          wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServiceError(Status.Code.CANCELLED, "CANCELLED", "interrupted while waiting for " + Lsn.format(lsn));
    } finally {
      waits.record(Duration.ofNanos(System.nanoTime() - start));
    }
    ingested = ingestedLsn(current(view));
    if (Lsn.compare(lsn, ingested) > 0) {
      throw new ServiceError(Status.Code.DEADLINE_EXCEEDED, "LSN_NOT_ARRIVED", "waited "
          + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms for LSN " + Lsn.format(lsn)
          + " of timeline " + timeline + "; the ingested LSN is " + Lsn.format(ingested));
    }
    return ingested;
  }

  private TimelineView current(TimelineView view) {
    return timelines.get(view.tenant(), view.index().timeline()).orElse(view);
  }

  /** The page as of {@code lsn} on this timeline or its ancestors; null if nobody wrote it. */
  private Page read(TimelineView view, PageKey key, long lsn) {
    TimelineId timeline = view.index().timeline();
    Page cached = cache.get(timeline, key, lsn);
    if (cached != null) {
      return cached;
    }
    Page page = reconstruct(view, key, lsn);
    // The tail drops what a newer index holds only after that index is in use: if the view is
    // still the newest after reading the tail, nothing it needed from the tail was dropped.
    for (TimelineView now = current(view); now.index().seq() != view.index().seq(); now = current(view)) {
      view = now;
      page = reconstruct(view, key, lsn);
    }
    if (page == null) {
      TimelineIndex.Ancestor ancestor = view.ancestor();
      if (ancestor == null) {
        return null;
      }
      page = read(parent(view), key, Lsn.min(lsn, ancestor.lsn()));
      if (page == null) {
        return null;
      }
    }
    cache.put(timeline, key, page, lsn);
    return page;
  }

  private TimelineView parent(TimelineView view) {
    TimelineIndex.Ancestor ancestor = view.ancestor();
    return timelines.get(view.tenant(), ancestor.timeline()).orElseThrow(() -> new ServiceError(
        Status.Code.DATA_LOSS, "ANCESTOR_MISSING", "timeline " + view.index().timeline() + " branched from "
        + ancestor.timeline() + ", which has no index"));
  }

  /** The ancestor's page at the branch point, or null for a timeline without one (or a page it never wrote). */
  private Page inherited(TimelineView view, PageKey key) {
    TimelineIndex.Ancestor ancestor = view.ancestor();
    return ancestor == null ? null : read(parent(view), key, ancestor.lsn());
  }

  /** The page from this timeline's own layers and tail; null if it wrote nothing to it by then. */
  private Page reconstruct(TimelineView view, PageKey key, long lsn) {
    TimelineId timeline = view.index().timeline();
    LayerMap.Inputs inputs;
    try {
      inputs = view.layers().collect(key, lsn);
    } catch (IOException | FormatException e) {
      throw new ServiceError(Status.Code.DATA_LOSS, "LAYER_UNREADABLE", "the layers of timeline " + timeline
          + " cannot give page " + key + ": " + e.getMessage(), e);
    }
    long newest = inputs.records().isEmpty()
        ? (inputs.image() == null ? 0 : inputs.image().lsnValue())
        : inputs.records().get(inputs.records().size() - 1).getLsn();
    List<WalRecord> fromTail = tail.records(timeline, key, newest, lsn);
    if (inputs.isEmpty() && fromTail.isEmpty()) {
      return null;
    }
    Page base = inputs.image();
    List<WalRecord> records = new ArrayList<>(inputs.records());
    for (WalRecord r : fromTail) {
      if (r.getWillInit()) {
        base = null;
        records.clear();
      }
      records.add(r);
    }
    if (base == null && !records.isEmpty() && !records.get(0).getWillInit()) {
      // A branch's first change to a page it inherited: the base is the ancestor's page at the branch point.
      base = inherited(view, key);
    }
    try {
      deltasApplied.record(records.size());
      return Redo.applyAll(base, records);
    } catch (FormatException e) {
      throw new ServiceError(Status.Code.DATA_LOSS, "PAGE_UNRECONSTRUCTABLE", "page " + key + " of timeline "
          + timeline + " at " + Lsn.format(lsn) + ": " + e.getMessage(), e);
    }
  }

  /** The LSN of the last commit at or before {@code timeMicros}, through ancestors. */
  public CommitClock.Answer lsnByTimestamp(TimelineView view, long timeMicros) {
    CommitClock.Answer own = tail.clockOf(view.index().timeline()).lsnAt(timeMicros);
    TimelineIndex.Ancestor ancestor = view.ancestor();
    if (ancestor == null || (own.kind() != CommitClock.Kind.PAST && own.kind() != CommitClock.Kind.NO_DATA)) {
      return own;
    }
    CommitClock.Answer inherited = lsnByTimestamp(timeline(view.tenant(), ancestor.timeline()), timeMicros);
    return switch (inherited.kind()) {
      case PRESENT -> Lsn.compare(inherited.lsn(), ancestor.lsn()) <= 0 ? inherited
          : new CommitClock.Answer(CommitClock.Kind.PRESENT, ancestor.lsn(), 0);
      case FUTURE -> own.kind() == CommitClock.Kind.NO_DATA ? new CommitClock.Answer(CommitClock.Kind.FUTURE,
          ancestor.lsn(), 0) : new CommitClock.Answer(CommitClock.Kind.PRESENT, ancestor.lsn(), 0);
      default -> inherited;
    };
  }

  public WalTail tail() {
    return tail;
  }
}
