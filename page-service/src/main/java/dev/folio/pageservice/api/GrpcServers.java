package dev.folio.pageservice.api;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.util.concurrent.ForkJoinPool;

/**
 * How Folio builds a gRPC server: Netty, with calls run on a work-stealing pool sized to the
 * cores rather than gRPC's default unbounded cached pool, which on few cores spends more time
 * creating and switching threads than answering. The page service and the benchmark's bare
 * reference both use it, so that they are measured on the same stack.
 */
public final class GrpcServers {
  private GrpcServers() {}

  public static NettyServerBuilder builder(String host, int port) {
    int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    ForkJoinPool calls = new ForkJoinPool(threads, pool -> {
      var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
      t.setName("folio-grpc-" + t.getPoolIndex());
      t.setDaemon(true);
      return t;
    }, null, true);
    return NettyServerBuilder.forAddress(new InetSocketAddress(host, port)).executor(calls);
  }
}
