package dev.folio.compute.gateway;

import dev.folio.compute.fleet.ComputeLauncher;
import dev.folio.compute.pgwire.FrontendDecoder;
import dev.folio.compute.pgwire.PgServer;
import dev.folio.ops.OpsServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The one PostgreSQL address of a tenant: {@code postgresql://host:port/BRANCH}. Each connection
 * goes to the primary compute of the branch its database names, started on demand and suspended
 * when idle ({@link ComputeFleet}). Beside it, over HTTP: {@code /health}, {@code /metrics} and
 * the management API ({@link ManagementApi}).
 */
public final class Gateway implements AutoCloseable {
  /**
   * @param tls TLS for clients that ask, or null
   * @param httpPort health, metrics and the management API: 0 for any free port
   * @param adminToken the bearer token the management API requires (at least 16 characters)
   * @param suspendAfter how long a compute with no session stays up
   */
  public record Config(String host, int port, PgServer.Tls tls, int httpPort, String adminToken,
      Duration suspendAfter) {
    /** Computes are suspended after five idle minutes. */
    public static final Duration DEFAULT_SUSPEND_AFTER = Duration.ofMinutes(5);
  }

  private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ComputeFleet fleet;
  private final EventLoopGroup boss = new NioEventLoopGroup(1);
  private final EventLoopGroup workers = new NioEventLoopGroup();
  private final Channel channel;
  private final OpsServer http;

  private Gateway(Config config, BranchCatalog branches, ComputeLauncher launcher)
      throws InterruptedException, IOException {
    fleet = new ComputeFleet(branches, launcher, config.suspendAfter(), meters);
    SslContext tls = config.tls() == null ? null : config.tls().context();
    channel = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new FrontendDecoder(tls), new GatewayConnection(fleet));
          }
        })
        .bind(new InetSocketAddress(config.host(), config.port())).sync().channel();
    http = new OpsServer(config.host(), config.httpPort(), meters, () -> null);
    new ManagementApi(fleet, config.adminToken()).serveOn(http);
  }

  public static Gateway start(Config config, BranchCatalog branches, ComputeLauncher launcher)
      throws InterruptedException, IOException {
    return new Gateway(config, branches, launcher);
  }

  public ComputeFleet fleet() {
    return fleet;
  }

  /** The PostgreSQL port. */
  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** The port of health, metrics and the management API. */
  public int httpPort() {
    return http.port();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    http.close();
    fleet.close();
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
