package dev.folio.compute.pgwire;

import dev.folio.compute.session.SqlEngine;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.KeyManagerFactory;

/**
 * A PostgreSQL-protocol server on Netty: one {@link PgConnection} per client, each known by the
 * process id and secret it was given, so that a CancelRequest on another connection can reach it.
 */
public final class PgServer implements AutoCloseable {
  /**
   * How clients authenticate: {@code trust} lets anyone in (local mode only); otherwise SCRAM-SHA-256
   * against {@code passwords} (user to password).
   */
  public record Config(String host, int port, boolean trust, Map<String, String> passwords, Tls tls) {
    public Config {
      passwords = Map.copyOf(passwords);
      if (!trust && passwords.isEmpty()) {
        throw new IllegalArgumentException("no authentication: give users and passwords, or trust (local mode only)");
      }
    }

    /** Without TLS: SSLRequest is answered N. */
    public Config(String host, int port, boolean trust, Map<String, String> passwords) {
      this(host, port, trust, passwords, null);
    }
  }

  /** TLS for clients that ask (SSLRequest): the server's key and certificate chain in a PKCS#12 key store. */
  public record Tls(Path keyStore, String password) {
    public SslContext context() {
      try (InputStream in = Files.newInputStream(keyStore)) {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(in, password.toCharArray());
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password.toCharArray());
        return SslContextBuilder.forServer(keys).build();
      } catch (IOException | GeneralSecurityException e) {
        throw new IllegalArgumentException("cannot use the TLS key store " + keyStore + ": " + e.getMessage(), e);
      }
    }
  }

  private final EventLoopGroup boss = new NioEventLoopGroup(1);
  private final EventLoopGroup workers = new NioEventLoopGroup();
  private final Channel channel;
  /** The open sessions by their BackendKeyData process id, for CancelRequest. */
  private final Map<Integer, PgConnection> sessions = new ConcurrentHashMap<>();
  private final ChannelGroup adopted = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final Config config;
  private final Supplier<SqlEngine> engines;

  private PgServer(Config config, Supplier<SqlEngine> engines) throws InterruptedException {
    this.config = config;
    this.engines = engines;
    SslContext tls = config.tls() == null ? null : config.tls().context();
    channel = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            serve(ch, new FrontendDecoder(tls));
          }
        })
        .bind(new InetSocketAddress(config.host(), config.port())).sync().channel();
  }

  private void serve(Channel ch, FrontendDecoder decoder) {
    // A thread of its own per session, as PostgreSQL has a process: a statement may wait (for a
    // page, a flush, another transaction's lock) without holding up other sessions. The
    // connection's handler ends the thread when the connection is gone.
    EventExecutorGroup session = new DefaultEventExecutorGroup(1);
    ch.pipeline().addLast(decoder);
    ch.pipeline().addLast(session, new PgConnection(config, engines.get(), sessions));
  }

  /**
   * Takes over a connection that a gateway in this JVM accepted and read the startup packet of,
   * with whatever the client sent after it: the session runs here as on a connection of its own,
   * one network hop fewer. Called on the connection's event loop; closing this server closes it.
   */
  public void adopt(Channel ch, FrontendMessage.Startup startup, List<ByteBuf> early) {
    FrontendDecoder decoder = FrontendDecoder.afterStartup();
    serve(ch, decoder);
    adopted.add(ch);
    // Into the decoder, not from the pipeline's head: a TLS handler there has decrypted these already.
    ChannelHandlerContext at = ch.pipeline().context(decoder);
    at.fireChannelRead(startup);
    for (ByteBuf bytes : early) {
      try {
        decoder.channelRead(at, bytes);
      } catch (Exception e) {
        at.fireExceptionCaught(e);
      }
    }
  }

  /** Starts serving; each connection gets its own engine from {@code engines}. */
  public static PgServer start(Config config, Supplier<SqlEngine> engines) throws InterruptedException {
    return new PgServer(config, engines);
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    adopted.close().awaitUninterruptibly();
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
