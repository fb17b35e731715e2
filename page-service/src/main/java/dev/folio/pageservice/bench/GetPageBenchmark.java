package dev.folio.pageservice.bench;

import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.index.TimelineIndex;
import dev.folio.format.layer.DeltaLayer;
import dev.folio.format.layer.ImageLayer;
import dev.folio.format.layer.LayerDescriptor;
import dev.folio.format.layout.StorageLayout;
import dev.folio.format.page.Page;
import dev.folio.format.redo.Redo;
import dev.folio.format.wal.WalRecords;
import dev.folio.pageservice.PageServer;
import dev.folio.pageservice.PageServiceConfig;
import dev.folio.pageservice.api.GrpcServers;
import dev.folio.pageservice.auth.BearerToken;
import dev.folio.pageservice.auth.JwtAuthenticator;
import dev.folio.pageservice.storage.ObjectStore;
import dev.folio.schemas.pageservice.v1.GetPageRequest;
import dev.folio.schemas.pageservice.v1.PageServiceGrpc;
import dev.folio.schemas.wal.Fork;
import dev.folio.schemas.wal.HeapInsert;
import dev.folio.schemas.wal.HeapPageInit;
import dev.folio.schemas.wal.WalRecord;
import dev.folio.wal.topic.WalTopicConfig;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * GetPage latency and throughput beside a bare gRPC call that returns 8 KiB from a server built
 * the same way ({@link GrpcServers}), in one run. Three cases, each against its own
 * page server over the same object store: (a) a cached page (the same page again and again);
 * (b) a page rebuilt from an image and 10 deltas (page cache off, layer chunks on local disk);
 * (c) a page from a layer not in the local cache (both caches off: every read is a ranged GET).
 * The layers are written straight to the object store, as the materializer would write them. The
 * reference runs first to warm the JIT up and again at the end; the second run counts.
 */
public final class GetPageBenchmark {
  private static final String TENANT = "bench";
  private static final String SECRET = "folio-bench-secret-for-hs256-signing!";
  private static final int DELTAS = 10;

  /** One case: latency with one client, throughput (and latency) with 16. */
  public record Case(String name, Histogram one, Histogram sixteen, double perSecond16) {}

  public record Result(Case bare, Case cached, Case rebuilt, Case cold) {
    public double cachedP50Ratio() {
      return cached.one().getValueAtPercentile(50) / (double) bare.one().getValueAtPercentile(50);
    }
  }

  private final String bootstrapServers;
  private final String storageRoot;
  private final Map<String, String> s3a;
  private final boolean quick;
  private final PrintStream progress;

  public GetPageBenchmark(String bootstrapServers, String storageRoot, Map<String, String> s3a, boolean quick,
      PrintStream progress) {
    this.bootstrapServers = bootstrapServers;
    this.storageRoot = storageRoot;
    this.s3a = s3a;
    this.quick = quick;
    this.progress = progress;
  }

  public Result run() throws Exception {
    int pages = quick ? 2_000 : 10_000;
    TimelineId timeline = TimelineId.generate();
    progress.printf("  writing an image layer and a delta layer: %,d pages, %d deltas each...%n", pages, DELTAS);
    long lsn = writeLayers(timeline, pages);
    String token = new JwtAuthenticator(SECRET).issue("bench", TENANT, Duration.ofHours(1));
    Duration each = Duration.ofSeconds(quick ? 4 : 15);
    int calls = quick ? 3_000 : 20_000;

    progress.println("  bare gRPC call returning 8 KiB (warm-up)...");
    bare(calls, each);
    Case cached;
    try (PageServer server = PageServer.start(config(256L << 20, 1L << 30))) {
      progress.println("  (a) cached page...");
      GetPageRequest one = request(timeline, 0, lsn);
      cached = measure("cached", server.grpcPort(), token, i -> one, calls, each);
    }
    Case rebuilt;
    try (PageServer server = PageServer.start(config(1, 1L << 30))) {
      progress.println("  (b) rebuilt from an image and 10 deltas...");
      rebuilt = measure("rebuilt", server.grpcPort(), token, i -> request(timeline, ThreadLocalRandom.current().nextInt(pages), lsn),
          calls, each);
    }
    Case cold;
    try (PageServer server = PageServer.start(config(1, 1))) {
      progress.println("  (c) from a layer not in the local cache...");
      cold = measure("cold", server.grpcPort(), token, i -> request(timeline, ThreadLocalRandom.current().nextInt(pages), lsn),
          calls / 4, each);
    }
    // The reference again, now that the JIT has compiled the whole stack: this run counts.
    progress.println("  bare gRPC call returning 8 KiB...");
    return new Result(bare(calls, each), cached, rebuilt, cold);
  }

  private Case bare(int calls, Duration each) throws Exception {
    Server echo = bareEcho();
    try {
      return measure("bare", echo.getPort(), null, i -> null, calls, each);
    } finally {
      echo.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static GetPageRequest request(TimelineId timeline, int block, long lsn) {
    return GetPageRequest.newBuilder().setTenant(TENANT).setTimeline(timeline.toString())
        .setKey(dev.folio.schemas.pageservice.v1.PageKey.newBuilder().setDatabase(1).setRelation(16384)
            .setFork("main").setBlock(block))
        .setRequestLsn(lsn).build();
  }

  /** Writes the layers and the index of a timeline; returns the LSN of its newest record. */
  private long writeLayers(TimelineId timeline, int pages) throws IOException {
    StorageLayout layout = new StorageLayout(storageRoot, TENANT);
    Path scratch = Files.createTempDirectory("folio-getpage-bench");
    SplittableRandom random = new SplittableRandom(7);
    long lsn = 0x1000;
    List<LayerDescriptor> layers = new ArrayList<>();
    try (ObjectStore store = new ObjectStore(storageRoot, s3a)) {
      Page[] images = new Page[pages];
      Path image = scratch.resolve("image");
      long imageLsn;
      List<WalRecord> inits = new ArrayList<>();
      for (int p = 0; p < pages; p++) {
        lsn += 64;
        inits.add(WalRecords.of(timeline, lsn, 1, key(p), new HeapPageInit()));
      }
      imageLsn = lsn;
      try (ImageLayer.Writer w = new ImageLayer.Writer(image, timeline, imageLsn, "bench0")) {
        for (int p = 0; p < pages; p++) {
          images[p] = Redo.apply(null, inits.get(p));
          w.add(key(p), images[p]);
        }
        LayerDescriptor d = w.finish();
        store.write(layout.layer(timeline, d.name()), Files.readAllBytes(image));
        layers.add(d);
      }
      List<WalRecord> deltas = new ArrayList<>();
      long first = lsn + 1;
      for (int i = 0; i < DELTAS; i++) {
        for (int p = 0; p < pages; p++) {
          byte[] row = new byte[100];
          random.nextBytes(row);
          lsn += 160;
          deltas.add(WalRecords.of(timeline, lsn, 2, key(p), new HeapInsert(i + 1, 0, ByteBuffer.wrap(row))));
        }
      }
      deltas.sort((a, b) -> {
        int c = WalRecords.key(a).compareTo(WalRecords.key(b));
        return c != 0 ? c : Long.compareUnsigned(a.getLsn(), b.getLsn());
      });
      Path delta = scratch.resolve("delta");
      try (DeltaLayer.Writer w = new DeltaLayer.Writer(delta, timeline, first, lsn + 1, "bench1")) {
        for (WalRecord r : deltas) {
          w.add(r);
        }
        LayerDescriptor d = w.finish();
        store.write(layout.layer(timeline, d.name()), Files.readAllBytes(delta));
        layers.add(d);
      }
      TimelineIndex index = new TimelineIndex(timeline, 1, null, 0, 0, lsn, 1, "bench", List.of(), layers, List.of(),
          Instant.now());
      store.write(layout.index(timeline, 1), index.toJson());
    } finally {
      try (var files = Files.list(scratch)) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }
      Files.delete(scratch);
    }
    return lsn;
  }

  private static PageKey key(int block) {
    return new PageKey(1, 16384, Fork.MAIN, block);
  }

  private PageServiceConfig config(long pageCacheBytes, long layerCacheBytes) {
    Properties p = PageServiceConfig.localProperties(bootstrapServers,
        WalTopicConfig.singleBroker(WalTopicConfig.DEFAULT_PREFIX), storageRoot, s3a, SECRET);
    p.setProperty("cache.page-bytes", String.valueOf(pageCacheBytes));
    p.setProperty("cache.layer-bytes", String.valueOf(layerCacheBytes));
    return PageServiceConfig.from(p);
  }

  // The reference: one unary method that returns 8 KiB, with no protobuf and no work.
  private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new BytesStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };
  /** Bytes that gRPC can size and write out in one go, as it does protobuf messages. */
  private static final class BytesStream extends ByteArrayInputStream implements KnownLength, Drainable {
    BytesStream(byte[] bytes) {
      super(bytes);
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      int n = count - pos;
      target.write(buf, pos, n);
      pos = count;
      return n;
    }
  }

  private static final MethodDescriptor<byte[], byte[]> ECHO = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("folio.bench.Echo/Page")
      .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();

  private static Server bareEcho() throws IOException {
    byte[] page = new byte[8192];
    ServerServiceDefinition service = ServerServiceDefinition.builder("folio.bench.Echo")
        .addMethod(ECHO, ServerCalls.asyncUnaryCall((request, response) -> {
          response.onNext(page);
          response.onCompleted();
        })).build();
    return GrpcServers.builder("127.0.0.1", 0).addService(service).build().start();
  }

  /**
   * One client for {@code calls} calls, one after another; then 16 clients for {@code each}, each
   * with one call in flight at a time (asynchronous stubs, so that 16 clients cost no 16 threads on
   * 2 cores). A null request is the bare call.
   */
  private Case measure(String name, int port, String token, IntFunction<GetPageRequest> requests, int calls,
      Duration each) throws Exception {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      PageServiceGrpc.PageServiceBlockingStub s = stub(channel, token);
      for (int i = 0; i < Math.min(calls, 500); i++) {
        call(channel, s, requests.apply(0));
      }
      PageServiceGrpc.PageServiceStub async = PageServiceGrpc.newStub(channel);
      if (token != null) {
        async = async.withCallCredentials(new BearerToken(token));
      }
      sixteen(channel, async, requests, Duration.ofSeconds(1), name);
      Histogram one = new Histogram(3);
      for (int i = 0; i < calls; i++) {
        GetPageRequest r = requests.apply(i);
        long start = System.nanoTime();
        call(channel, s, r);
        one.recordValue((System.nanoTime() - start) / 1000);
      }
      Recorder recorder = new Recorder(3);
      double perSecond = sixteen(channel, async, requests, each, name, recorder);
      return new Case(name, one, recorder.getIntervalHistogram(), perSecond);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** 16 clients for {@code time}; returns calls per second. */
  private static double sixteen(ManagedChannel channel, PageServiceGrpc.PageServiceStub async,
      IntFunction<GetPageRequest> requests, Duration time, String name, Recorder recorder) throws InterruptedException {
    AtomicLong done = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long end = System.nanoTime() + time.toNanos();
    CountDownLatch finished = new CountDownLatch(16);
    long start = System.nanoTime();
    for (int c = 0; c < 16; c++) {
      new AsyncClient(channel, async, requests, recorder, done, failed, end, finished).next();
    }
    finished.await();
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " calls of case " + name + " failed");
    }
    return done.get() / ((System.nanoTime() - start) / 1e9);
  }

  /** Warms up: 16 clients for {@code time}. */
  private static void sixteen(ManagedChannel channel, PageServiceGrpc.PageServiceStub async,
      IntFunction<GetPageRequest> requests, Duration time, String name) throws InterruptedException {
    sixteen(channel, async, requests, time, name, new Recorder(3));
  }

  /** One of the 16 clients: issues its next call when the previous one completes, until the end. */
  private static final class AsyncClient implements StreamObserver<Object> {
    private final ManagedChannel channel;
    private final PageServiceGrpc.PageServiceStub stub;
    private final IntFunction<GetPageRequest> requests;
    private final Recorder recorder;
    private final AtomicLong done;
    private final AtomicLong failed;
    private final long end;
    private final CountDownLatch finished;
    private int i;
    private long started;

    AsyncClient(ManagedChannel channel, PageServiceGrpc.PageServiceStub stub, IntFunction<GetPageRequest> requests,
        Recorder recorder, AtomicLong done, AtomicLong failed, long end, CountDownLatch finished) {
      this.channel = channel;
      this.stub = stub;
      this.requests = requests;
      this.recorder = recorder;
      this.done = done;
      this.failed = failed;
      this.end = end;
      this.finished = finished;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    void next() {
      if (System.nanoTime() >= end) {
        finished.countDown();
        return;
      }
      GetPageRequest r = requests.apply(i++);
      started = System.nanoTime();
      if (r == null) {
        ClientCalls.asyncUnaryCall(channel.newCall(ECHO, io.grpc.CallOptions.DEFAULT), new byte[16],
            (StreamObserver) this);
      } else {
        stub.getPage(r, (StreamObserver) this);
      }
    }

    @Override
    public void onNext(Object value) {
      recorder.recordValue((System.nanoTime() - started) / 1000);
      done.incrementAndGet();
    }

    @Override
    public void onError(Throwable t) {
      failed.incrementAndGet();
      finished.countDown();
    }

    @Override
    public void onCompleted() {
      next();
    }
  }

  private static PageServiceGrpc.PageServiceBlockingStub stub(ManagedChannel channel, String token) {
    PageServiceGrpc.PageServiceBlockingStub stub = PageServiceGrpc.newBlockingStub(channel);
    return token == null ? stub : stub.withCallCredentials(new BearerToken(token));
  }

  private static void call(ManagedChannel channel, PageServiceGrpc.PageServiceBlockingStub stub, GetPageRequest r) {
    if (r == null) {
      ClientCalls.blockingUnaryCall(channel, ECHO, io.grpc.CallOptions.DEFAULT, new byte[16]);
    } else {
      stub.getPage(r);
    }
  }
}
