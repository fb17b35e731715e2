package dev.folio.pageservice.api;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.index.TimelineIndex;
import dev.folio.pageservice.auth.AuthInterceptor;
import dev.folio.pageservice.auth.Principal;
import dev.folio.pageservice.read.PageReader;
import dev.folio.pageservice.tail.CommitClock;
import dev.folio.pageservice.tail.WalTail;
import dev.folio.pageservice.timeline.TimelineView;
import dev.folio.schemas.pageservice.v1.GetLsnByTimestampRequest;
import dev.folio.schemas.pageservice.v1.GetLsnByTimestampResponse;
import dev.folio.schemas.pageservice.v1.GetPageRequest;
import dev.folio.schemas.pageservice.v1.GetPageResponse;
import dev.folio.schemas.pageservice.v1.GetPagesRequest;
import dev.folio.schemas.pageservice.v1.GetTimelineStateRequest;
import dev.folio.schemas.pageservice.v1.PageServiceGrpc;
import dev.folio.schemas.pageservice.v1.TimelineState;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC face of the page service: checks the caller's tenant and the request's fields, asks
 * the {@link PageReader}, and turns every failure into a status with Folio's reason code; an
 * unexpected one is INTERNAL and logged, never a dropped connection.
 */
public final class PageServiceEndpoint extends PageServiceGrpc.PageServiceImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(PageServiceEndpoint.class);

  private final PageReader reader;
  private final Timer getPage;

  public PageServiceEndpoint(PageReader reader, MeterRegistry registry) {
    this.reader = reader;
    this.getPage = Timer.builder("folio.pageservice.getpage").description("GetPage latency, per page")
        .publishPercentileHistogram().register(registry);
  }

  @Override
  public void getPage(GetPageRequest request, StreamObserver<GetPageResponse> responses) {
    long start = System.nanoTime();
    try {
      String tenant = authorized(request.getTenant());
      TimelineId timeline = Requests.timeline(request.getTimeline());
      PageKey key = Requests.key(request.getKey());
      long lsn = Requests.lsn("request_lsn", request.getRequestLsn());
      PageReader.Result r = reader.getPage(tenant, timeline, key, lsn, request.getNotModifiedSince(), budget());
      responses.onNext(page(request.getKey(), r));
      responses.onCompleted();
    } catch (RuntimeException e) {
      responses.onError(status(e));
    } finally {
      getPage.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void getPages(GetPagesRequest request, StreamObserver<GetPageResponse> responses) {
    try {
      String tenant = authorized(request.getTenant());
      TimelineId timeline = Requests.timeline(request.getTimeline());
      long lsn = Requests.lsn("request_lsn", request.getRequestLsn());
      TimelineView view = reader.timeline(tenant, timeline);
      // One wait for all keys, then every key at the same LSN.
      long served = Math.min(lsn, reader.awaitIngested(view, request.getNotModifiedSince(), budget()));
      for (var protoKey : request.getKeysList()) {
        long start = System.nanoTime();
        try {
          PageKey key = Requests.key(protoKey);
          responses.onNext(page(protoKey, reader.getPage(tenant, timeline, key, served, 0, Duration.ZERO)));
        } catch (RuntimeException e) {
          ServiceError error = error(e);
          responses.onNext(GetPageResponse.newBuilder().setKey(protoKey).setServedLsn(served)
              .setStatusCode(error.status().value()).setErrorCode(error.code()).setStatusMessage(error.getMessage())
              .build());
        } finally {
          getPage.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
      }
      responses.onCompleted();
    } catch (RuntimeException e) {
      responses.onError(status(e));
    }
  }

  @Override
  public void getTimelineState(GetTimelineStateRequest request, StreamObserver<TimelineState> responses) {
    try {
      String tenant = authorized(request.getTenant());
      TimelineView view = reader.timeline(tenant, Requests.timeline(request.getTimeline()));
      WalTail.Progress progress = reader.tail().progress(view.index().timeline());
      TimelineState.Builder state = TimelineState.newBuilder().setTimeline(view.index().timeline().toString())
          .setLastFlushLsn(Math.max(progress.lastFlushLsn(), view.materializedLsn()))
          .setIngestedLsn(reader.ingestedLsn(view)).setMaterializedLsn(view.materializedLsn())
          .setIndexSeq(view.index().seq()).setStartLsn(view.index().startLsn());
      TimelineIndex.Ancestor ancestor = view.ancestor();
      if (ancestor != null) {
        state.setAncestorTimeline(ancestor.timeline().toString()).setAncestorLsn(ancestor.lsn());
      }
      responses.onNext(state.build());
      responses.onCompleted();
    } catch (RuntimeException e) {
      responses.onError(status(e));
    }
  }

  @Override
  public void getLsnByTimestamp(GetLsnByTimestampRequest request,
      StreamObserver<GetLsnByTimestampResponse> responses) {
    try {
      String tenant = authorized(request.getTenant());
      TimelineView view = reader.timeline(tenant, Requests.timeline(request.getTimeline()));
      if (request.getTimeMicros() <= 0) {
        throw ServiceError.invalid("time_micros " + request.getTimeMicros() + " is not a time after 1970");
      }
      CommitClock.Answer a = reader.lsnByTimestamp(view, request.getTimeMicros());
      responses.onNext(GetLsnByTimestampResponse.newBuilder()
          .setKind(GetLsnByTimestampResponse.Kind.valueOf(a.kind().name())).setLsn(a.lsn())
          .setCommitTimeMicros(a.commitTimeMicros()).build());
      responses.onCompleted();
    } catch (RuntimeException e) {
      responses.onError(status(e));
    }
  }

  private static String authorized(String requested) {
    String tenant = Requests.tenant(requested);
    Principal principal = AuthInterceptor.PRINCIPAL.get();
    if (principal == null || !principal.mayAccess(tenant)) {
      throw new ServiceError(Status.Code.PERMISSION_DENIED, "WRONG_TENANT", "the token does not grant tenant "
          + tenant);
    }
    return tenant;
  }

  /** How long this call may wait: until its deadline, if it has one. */
  private static Duration budget() {
    Deadline deadline = Context.current().getDeadline();
    return deadline == null ? Duration.ofDays(1) : Duration.ofNanos(Math.max(0, deadline.timeRemaining(TimeUnit.NANOSECONDS)));
  }

  private static GetPageResponse page(dev.folio.schemas.pageservice.v1.PageKey key, PageReader.Result r) {
    // A page never changes: the response wraps its bytes instead of copying them first.
    ByteString bytes = UnsafeByteOperations.unsafeWrap(r.page().asReadOnlyBuffer());
    return GetPageResponse.newBuilder().setKey(key).setPage(bytes).setPageLsn(r.page().lsnValue())
        .setServedLsn(r.servedLsn()).build();
  }

  private static ServiceError error(RuntimeException e) {
    if (e instanceof ServiceError s) {
      return s;
    }
    LOG.error("Unexpected failure of a page service call", e);
    return new ServiceError(Status.Code.INTERNAL, "INTERNAL", e.toString(), e);
  }

  private static RuntimeException status(RuntimeException e) {
    return error(e).toStatus();
  }
}
