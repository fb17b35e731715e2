package dev.folio.compute.storage;

import dev.folio.compute.pgwire.PgException;
import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.page.Page;
import dev.folio.schemas.pageservice.v1.GetPageRequest;
import dev.folio.schemas.pageservice.v1.PageServiceGrpc;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * GetPage@LSN over gRPC for one timeline of one tenant, with a bearer token. A page nobody wrote
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
        .setKey(dev.folio.schemas.pageservice.v1.PageKey.newBuilder().setDatabase(key.database())
            .setRelation(key.relation()).setFork(key.fork().name().toLowerCase(Locale.ROOT)).setBlock(key.block()))
        .setRequestLsn(requestLsn).setNotModifiedSince(notModifiedSince).build();
    try {
      return Page.of(stub.withDeadlineAfter(30, TimeUnit.SECONDS).getPage(request).getPage().toByteArray());
    } catch (StatusRuntimeException e) {
      Metadata trailers = e.getTrailers();
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND && trailers != null
          && "PAGE_NOT_FOUND".equals(trailers.get(ERROR_CODE))) {
        return null;
      }
      throw new PgException("58030", "could not read page " + key + " of timeline " + timeline
          + " from the page service: " + e.getStatus());
    }
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
