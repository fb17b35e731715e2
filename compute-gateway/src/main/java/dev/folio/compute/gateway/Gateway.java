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
 * when idle ({@link ComputeFleet}). The read-only address ({@code readOnlyPort}, same database
 * names) spreads sessions over the branch's hot replicas, started as the load needs them. Beside it, over HTTP: {@code /health}, {@code /metrics} and
 * the management API ({@link ManagementApi}).
 */
public final class Gateway implements AutoCloseable {
  /**
   * @param tls TLS for clients that ask, or null
   * @param httpPort health, metrics and the management API: 0 for any free port
   * @param adminToken the bearer token the management API requires (at least 16 characters)
   * @param suspendAfter how long a compute with no session stays up
   * @param readOnlyPort the read-only address (sessions on hot replicas): 0 for any free port, -1 for none
   * @param sessionsPerReplica read-only sessions per hot replica above which another is started
   * @param writeForwarding whether a write sent to a replica or a static compute goes to the primary
   *     (else it fails with 25006)
   */
  public record Config(String host, int port, PgServer.Tls tls, int httpPort, String adminToken,
      Duration suspendAfter, int readOnlyPort, int sessionsPerReplica, boolean writeForwarding) {
    /** Computes are suspended after five idle minutes. */
    public static final Duration DEFAULT_SUSPEND_AFTER = Duration.ofMinutes(5);
    /** Read-only sessions a hot replica takes before the gateway starts another. */
    public static final int DEFAULT_SESSIONS_PER_REPLICA = 16;

    /** Without a read-only address. */
    public Config(String host, int port, PgServer.Tls tls, int httpPort, String adminToken, Duration suspendAfter) {
      this(host, port, tls, httpPort, adminToken, suspendAfter, -1, DEFAULT_SESSIONS_PER_REPLICA, true);
    }
  }

  private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ComputeFleet fleet;
  private final EventLoopGroup boss = new NioEventLoopGroup(1);
  private final EventLoopGroup workers = new NioEventLoopGroup();
  private final Channel channel;
  private final Channel readOnlyChannel;
  private final OpsServer http;

  private Gateway(Config config, BranchCatalog branches, ComputeLauncher launcher)
      throws InterruptedException, IOException {
    fleet = new ComputeFleet(branches, launcher, config.suspendAfter(), config.sessionsPerReplica(), meters);
    SslContext tls = config.tls() == null ? null : config.tls().context();
    channel = listen(config.host(), config.port(), tls, false);
    readOnlyChannel = config.readOnlyPort() < 0 ? null : listen(config.host(), config.readOnlyPort(), tls, true);
    if (config.writeForwarding()) {
      fleet.forwardWritesTo(config.host() + ":" + port());
    }
    http = new OpsServer(config.host(), config.httpPort(), meters, () -> null);
    new ManagementApi(fleet, branches, config.adminToken()).serveOn(http);
  }

  private Channel listen(String host, int port, SslContext tls, boolean readOnly) throws InterruptedException {
    return new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new FrontendDecoder(tls), new GatewayConnection(fleet, readOnly));
          }
        })
        .bind(new InetSocketAddress(host, port)).sync().channel();
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

  /** The read-only address's port (sessions on the branch's hot replicas), or -1 if there is none. */
  public int readOnlyPort() {
    return readOnlyChannel == null ? -1 : ((InetSocketAddress) readOnlyChannel.localAddress()).getPort();
  }

  /** The port of health, metrics and the management API. */
  public int httpPort() {
    return http.port();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    if (readOnlyChannel != null) {
      readOnlyChannel.close().syncUninterruptibly();
    }
    http.close();
    fleet.close();
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
