package dev.folio.pageservice;

import dev.folio.pageservice.api.GrpcServers;
import dev.folio.pageservice.api.PageServiceEndpoint;
import dev.folio.pageservice.auth.AuthInterceptor;
import dev.folio.pageservice.auth.JwtAuthenticator;
import dev.folio.ops.OpsServer;
import dev.folio.pageservice.read.PageReader;
import dev.folio.pageservice.storage.LayerCache;
import dev.folio.pageservice.storage.ObjectStore;
import dev.folio.pageservice.tail.WalTail;
import dev.folio.pageservice.timeline.Timelines;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The page service, assembled: the Kafka tail, the timeline catalog over the object store and its
 * layer cache, the page reader, the gRPC server (JWT on every call, TLS when configured) and the
 * HTTP health and metrics server. {@link #start} returns once both servers listen.
 */
public final class PageServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PageServer.class);

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ObjectStore store;
  private final WalTail tail;
  private final Timelines timelines;
  private final Server grpc;
  private final OpsServer ops;

  private PageServer(PageServiceConfig config) throws IOException {
    store = new ObjectStore(config.storageRoot(), config.s3aProperties());
    Path cacheDir = config.cacheDirectory() != null ? config.cacheDirectory()
        : Files.createTempDirectory("folio-page-service-cache");
    LayerCache cache = new LayerCache(store, cacheDir, config.layerCacheBytes(), registry);
    tail = new WalTail(config.bootstrapServers(), config.kafkaProperties(), config.topic(), config.tailMaxBytes(),
        registry);
    timelines = new Timelines(store, cache, config.storageRoot(), config.indexPollInterval(),
        index -> tail.materialized(index.timeline(), index.consistentLsn()));
    PageReader reader = new PageReader(timelines, tail, config.pageCacheBytes(), config.maxWait(), registry);
    Gauge.builder("folio.pageservice.ingest.lag", timelines, t -> t.known().stream()
        .mapToDouble(v -> Math.max(0, tail.progress(v.index().timeline()).lastFlushLsn() - reader.ingestedLsn(v)))
        .max().orElse(0)).baseUnit("bytes").description("WAL flushed but not yet ingested, worst timeline")
        .register(registry);
    NettyServerBuilder builder = GrpcServers.builder(config.grpcHost(), config.grpcPort());
    if (config.tlsCert() != null) {
      builder.sslContext(GrpcSslContexts.forServer(config.tlsCert().toFile(), config.tlsKey().toFile()).build());
    }
    grpc = builder.addService(ServerInterceptors.intercept(new PageServiceEndpoint(reader, registry),
        new AuthInterceptor(new JwtAuthenticator(config.jwtSecret())))).build();
    tail.start();
    grpc.start();
    ops = new OpsServer(config.httpHost(), config.httpPort(), registry, () -> {
      RuntimeException failed = tail.failure();
      return failed == null ? null : "the WAL tail stopped: " + failed.getMessage();
    });
    LOG.info("Page service listening: gRPC on port {}, health and metrics on port {}", grpc.getPort(), ops.port());
  }

  public static PageServer start(PageServiceConfig config) throws IOException {
    return new PageServer(config);
  }

  public int grpcPort() {
    return grpc.getPort();
  }

  public int httpPort() {
    return ops.port();
  }

  public void awaitTermination() throws InterruptedException {
    grpc.awaitTermination();
  }

  @Override
  public void close() throws Exception {
    grpc.shutdown();
    if (!grpc.awaitTermination(5, TimeUnit.SECONDS)) {
      grpc.shutdownNow();
    }
    ops.close();
    timelines.close();
    tail.close();
    store.close();
    registry.close();
  }
}
