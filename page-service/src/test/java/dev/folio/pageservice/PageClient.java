package dev.folio.pageservice;

import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.pageservice.api.ServiceError;
import dev.folio.pageservice.auth.BearerToken;
import dev.folio.schemas.pageservice.v1.GetPageRequest;
import dev.folio.schemas.pageservice.v1.GetPageResponse;
import dev.folio.schemas.pageservice.v1.GetTimelineStateRequest;
import dev.folio.schemas.pageservice.v1.PageServiceGrpc;
import dev.folio.schemas.pageservice.v1.TimelineState;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** A gRPC client of the page service for tests, carrying one bearer token. */
final class PageClient implements AutoCloseable {
  private final ManagedChannel channel;
  final PageServiceGrpc.PageServiceBlockingStub stub;

  PageClient(int port, String token) {
    channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    PageServiceGrpc.PageServiceBlockingStub s = PageServiceGrpc.newBlockingStub(channel);
    stub = token == null ? s : s.withCallCredentials(new BearerToken(token));
  }

  static dev.folio.schemas.pageservice.v1.PageKey key(PageKey k) {
    return dev.folio.schemas.pageservice.v1.PageKey.newBuilder().setDatabase(k.database()).setRelation(k.relation())
        .setFork(k.fork().name().toLowerCase(Locale.ROOT)).setBlock(k.block()).build();
  }

  static GetPageRequest request(String tenant, TimelineId timeline, PageKey key, long lsn) {
    return GetPageRequest.newBuilder().setTenant(tenant).setTimeline(timeline.toString()).setKey(key(key))
        .setRequestLsn(lsn).build();
  }

  GetPageResponse get(String tenant, TimelineId timeline, PageKey key, long lsn) {
    return stub.withDeadlineAfter(30, TimeUnit.SECONDS).getPage(request(tenant, timeline, key, lsn));
  }

  TimelineState state(String tenant, TimelineId timeline) {
    return stub.withDeadlineAfter(30, TimeUnit.SECONDS).getTimelineState(GetTimelineStateRequest.newBuilder()
        .setTenant(tenant).setTimeline(timeline.toString()).build());
  }

  /** The status code and Folio reason of a failed call. */
  record Failure(Status.Code code, String reason) {
    static Failure of(StatusRuntimeException e) {
      Metadata trailers = e.getTrailers();
      return new Failure(e.getStatus().getCode(), trailers == null ? null : trailers.get(ServiceError.ERROR_CODE));
    }
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
