package dev.folio.compute.storage;

import dev.folio.compute.pgwire.PgException;
import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.page.Page;
import dev.folio.schemas.pageservice.v1.GetLsnByTimestampRequest;
import dev.folio.schemas.pageservice.v1.GetLsnByTimestampResponse;
import dev.folio.schemas.pageservice.v1.GetPageRequest;
import dev.folio.schemas.pageservice.v1.GetTimelineStateRequest;
import dev.folio.schemas.pageservice.v1.GetPageResponse;
import dev.folio.schemas.pageservice.v1.GetPagesRequest;
import dev.folio.schemas.pageservice.v1.PageServiceGrpc;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * GetPage@LSN over gRPC for one timeline of one tenant, with a bearer token; GetPages for a batch. A page nobody wrote
 * is null; the page service being unreachable or slow is SQLSTATE 58030 (io_error), so that the
 * statement fails and the session stays usable.
 */
public final class PageServiceClient implements PageSource, AutoCloseable {
  private static final Metadata.Key<String> ERROR_CODE = Metadata.Key.of("folio-error-code",
      Metadata.ASCII_STRING_MARSHALLER);

  private final ManagedChannel channel;
  private final PageServiceGrpc.PageServiceBlockingStub stub;
  private final String tenant;
  private final TimelineId timeline;

  public PageServiceClient(String host, int port, String tenant, TimelineId timeline, String token) {
    this.channel = NettyChannelBuilder.forAddress(host, port).usePlaintext().build();
    this.stub = PageServiceGrpc.newBlockingStub(channel).withCallCredentials(new CallCredentials() {
      @Override
      public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        applier.apply(m);
      }
    });
    this.tenant = tenant;
    this.timeline = timeline;
  }

  @Override
  public Page get(PageKey key, long requestLsn, long notModifiedSince) {
    GetPageRequest request = GetPageRequest.newBuilder().setTenant(tenant).setTimeline(timeline.toString())
        .setKey(key(key)).setRequestLsn(requestLsn).setNotModifiedSince(notModifiedSince).build();
    try {
      return Page.of(stub.withDeadlineAfter(30, TimeUnit.SECONDS).getPage(request).getPage().toByteArray());
    } catch (StatusRuntimeException e) {
      Metadata trailers = e.getTrailers();
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND && trailers != null
          && "PAGE_NOT_FOUND".equals(trailers.get(ERROR_CODE))) {
        return null;
      }
      throw failure(key, e.getStatus());
    }
  }

  /** One GetPages stream for all the keys (a sequential scan's prefetch). */
  @Override
  public List<Page> getMany(List<PageKey> keys, long requestLsn, long notModifiedSince) {
    GetPagesRequest.Builder request = GetPagesRequest.newBuilder().setTenant(tenant).setTimeline(timeline.toString())
        .setRequestLsn(requestLsn).setNotModifiedSince(notModifiedSince);
    keys.forEach(k -> request.addKeys(key(k)));
    List<Page> pages = new ArrayList<>(keys.size());
    try {
      Iterator<GetPageResponse> responses = stub.withDeadlineAfter(30, TimeUnit.SECONDS).getPages(request.build());
      for (PageKey key : keys) {
        GetPageResponse r = responses.next();
        if (r.getStatusCode() == Status.Code.NOT_FOUND.value() && "PAGE_NOT_FOUND".equals(r.getErrorCode())) {
          pages.add(null);
        } else if (r.getStatusCode() != 0) {
          throw failure(key, Status.fromCodeValue(r.getStatusCode()).withDescription(r.getStatusMessage()));
        } else {
          pages.add(Page.of(r.getPage().toByteArray()));
        }
      }
    } catch (StatusRuntimeException e) {
      throw failure(keys.get(pages.size()), e.getStatus());
    }
    return pages;
  }

  /**
   * The LSN the timeline's own log starts after: where it branched from its ancestor, or where a
   * replay rebuilt it; 0 for a timeline whose log is all its own.
   */
  public long branchLsn() {
    return state().branchLsn();
  }

  /**
   * Where the timeline stands at the page service: its last flush seen in Kafka, what it has read,
   * what the materializer has folded into layers, and its branch point.
   */
  public TimelineProgress state() {
    try {
      var state = stub.withDeadlineAfter(30, TimeUnit.SECONDS).getTimelineState(GetTimelineStateRequest.newBuilder()
          .setTenant(tenant).setTimeline(timeline.toString()).build());
      return new TimelineProgress(state.getLastFlushLsn(), state.getIngestedLsn(), state.getMaterializedLsn(),
          state.getStartLsn());
    } catch (StatusRuntimeException e) {
      throw new PgException("58030", "could not read the state of timeline " + timeline + " from the page service: "
          + e.getStatus());
    }
  }

  /** The time is older than every commit the page service knows of (those the log's tail still holds). */
  public static final class BeforeHistory extends IllegalArgumentException {
    BeforeHistory(String message) {
      super(message);
    }
  }

  /** A timeline's LSNs at the page service. */
  public record TimelineProgress(long lastFlushLsn, long ingestedLsn, long materializedLsn, long branchLsn) {}

  /**
   * The LSN of the timeline's last commit at or before {@code time}; an IllegalArgumentException
   * says why there is none (the time is before the retained history or in the future, or the
   * timeline has no commit).
   */
  @Override
  public long lsnAt(java.time.Instant time) {
    long micros = time.getEpochSecond() * 1_000_000 + time.getNano() / 1_000;
    GetLsnByTimestampResponse r;
    try {
      r = stub.withDeadlineAfter(30, TimeUnit.SECONDS).getLsnByTimestamp(GetLsnByTimestampRequest.newBuilder()
          .setTenant(tenant).setTimeline(timeline.toString()).setTimeMicros(micros).build());
    } catch (StatusRuntimeException e) {
      throw new PgException("58030", "could not resolve " + time + " on timeline " + timeline + ": " + e.getStatus());
    }
    return switch (r.getKind()) {
      case PRESENT -> r.getLsn();
      case PAST -> throw new BeforeHistory(time + " is before the retained history of timeline " + timeline
          + " (the oldest LSN that can be read is " + dev.folio.format.Lsn.format(r.getLsn()) + ")");
      // After the newest commit: that commit is the last one before the time, unless the time is yet to come.
      case FUTURE -> {
        if (time.isAfter(java.time.Instant.now())) {
          throw new IllegalArgumentException(time + " is in the future (the last flush of timeline " + timeline
              + " is at " + dev.folio.format.Lsn.format(r.getLsn()) + ")");
        }
        yield r.getLsn();
      }
      default -> throw new IllegalArgumentException("timeline " + timeline + " has no commit");
    };
  }

  private static dev.folio.schemas.pageservice.v1.PageKey key(PageKey key) {
    return dev.folio.schemas.pageservice.v1.PageKey.newBuilder().setDatabase(key.database())
        .setRelation(key.relation()).setFork(key.fork().name().toLowerCase(Locale.ROOT)).setBlock(key.block()).build();
  }

  /** 58030, or the statement's cancel if that is why the call stopped. */
  private RuntimeException failure(PageKey key, Status status) {
    if (status.getCode() == Status.Code.CANCELLED && Thread.currentThread().isInterrupted()) {
      return new CancellationException("reading page " + key + " was canceled");
    }
    return new PgException("58030", "could not read page " + key + " of timeline " + timeline
        + " from the page service: " + status);
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
