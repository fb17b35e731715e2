package dev.folio.compute.gateway;

import dev.folio.compute.pgwire.Backend;
import dev.folio.compute.pgwire.FrontendDecoder;
import dev.folio.compute.pgwire.FrontendMessage;
import dev.folio.compute.pgwire.PgException;
import dev.folio.compute.pgwire.SqlState;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection through the gateway. Until the startup packet, {@link FrontendDecoder}
 * reads the connection (answering SSLRequest, so TLS ends here); the startup packet's database
 * names the branch. The gateway holds the branch's compute for the session (starting it if need
 * be), connects to it, passes it the startup packet unchanged, and from then on copies bytes both
 * ways: the compute authenticates the client and runs the session. A CancelRequest is passed on to
 * the computes. Whichever side closes, the other is closed and the compute's hold released.
 *
 * <p>Reading stops while the other side cannot take more, so a slow client never makes the
 * gateway buffer a whole result.
 */
final class GatewayConnection extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayConnection.class);

  private final ComputeFleet fleet;
  /** A connection to the read-only address: its session goes to a hot replica. */
  private final boolean readOnly;
  /** Bytes the client sent after its startup packet, before the compute's connection was open. */
  private final Queue<ByteBuf> early = new ArrayDeque<>();
  private ComputeFleet.Lease lease;
  private Channel compute;
  private boolean closed;

  GatewayConnection(ComputeFleet fleet, boolean readOnly) {
    this.fleet = fleet;
    this.readOnly = readOnly;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf bytes) {
      if (compute != null && compute.isActive()) {
        compute.writeAndFlush(bytes);
        pace(ctx.channel(), compute);
      } else {
        early.add(bytes);
      }
      return;
    }
    if (msg instanceof FrontendMessage.CancelRequest cancel) {
      fleet.cancel(cancel.processId(), cancel.secretKey());
      ctx.close();
    } else if (msg instanceof FrontendMessage.Startup startup) {
      route(ctx, startup);
    } else {
      ReferenceCountUtil.release(msg);
      fail(ctx, new PgException(SqlState.PROTOCOL_VIOLATION, "unexpected message before startup", null, true));
    }
  }

  private void route(ChannelHandlerContext ctx, FrontendMessage.Startup startup) {
    Map<String, String> params = startup.parameters();
    String branch = params.getOrDefault("database", params.get("user"));
    if (branch == null || branch.isEmpty()) {
      fail(ctx, new PgException(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, "no database (branch) and no user "
          + "name specified in the startup packet", null, true));
      return;
    }
    ctx.channel().config().setAutoRead(false);
    ctx.pipeline().remove(FrontendDecoder.class);
    java.util.concurrent.CompletableFuture<ComputeFleet.Lease> held;
    try {
      held = fleet.connect(branch, readOnly);
    } catch (PgException e) {
      fail(ctx, e);
      return;
    }
    held.whenComplete((granted, failure) -> ctx.executor().execute(() -> {
      if (failure != null) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause() : failure;
        fail(ctx, cause);
        return;
      }
      if (closed) {
        granted.close();
        return;
      }
      lease = granted;
      handOver(ctx, startup);
    }));
  }

  /**
   * A compute in this JVM takes the connection itself: this handler leaves the pipeline, and the
   * hold is released when the connection closes. Any other is reached over TCP and relayed to.
   */
  private void handOver(ChannelHandlerContext ctx, FrontendMessage.Startup startup) {
    if (!lease.compute().inProcess()) {
      connect(ctx, startup);
      return;
    }
    Channel client = ctx.channel();
    List<ByteBuf> pending = new ArrayList<>(early);
    early.clear();
    ctx.pipeline().remove(this);
    ComputeFleet.Lease held = lease;
    client.closeFuture().addListener(f -> held.close());
    held.compute().adopt(client, startup, pending);
    client.config().setAutoRead(true);
  }

  private void connect(ChannelHandlerContext ctx, FrontendMessage.Startup startup) {
    Channel client = ctx.channel();
    new Bootstrap().group(client.eventLoop()).channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext c, Object msg) {
            client.writeAndFlush(msg);
            pace(c.channel(), client);
          }

          @Override
          public void channelWritabilityChanged(ChannelHandlerContext c) {
            client.config().setAutoRead(c.channel().isWritable());
          }

          @Override
          public void channelInactive(ChannelHandlerContext c) {
            client.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
          }

          @Override
          public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
            LOG.debug("Connection to compute {} failed: {}", lease.computeId(), cause.toString());
            c.close();
          }
        })
        .connect(lease.host(), lease.port()).addListener((ChannelFutureListener) f -> {
          if (!f.isSuccess()) {
            fail(ctx, new PgException(SqlState.CANNOT_CONNECT_NOW, "cannot reach compute " + lease.computeId() + ": "
                + f.cause().getMessage(), null, true));
            return;
          }
          compute = f.channel();
          if (closed) {
            compute.close();
            return;
          }
          compute.write(startupPacket(ctx, startup.parameters()));
          while (!early.isEmpty()) {
            compute.write(early.poll());
          }
          compute.flush();
          client.config().setAutoRead(true);
        });
  }

  /** The startup packet as the client sent it: length, protocol 3.0, name/value pairs, a final NUL. */
  private static ByteBuf startupPacket(ChannelHandlerContext ctx, Map<String, String> params) {
    ByteBuf out = ctx.alloc().buffer();
    out.writeInt(0);
    out.writeInt(196608);
    params.forEach((name, value) -> {
      out.writeCharSequence(name, StandardCharsets.UTF_8);
      out.writeByte(0);
      out.writeCharSequence(value, StandardCharsets.UTF_8);
      out.writeByte(0);
    });
    out.writeByte(0);
    out.setInt(0, out.writerIndex());
    return out;
  }

  /** Stops reading {@code from} while {@code to} cannot take more; its writability event resumes it. */
  private static void pace(Channel from, Channel to) {
    if (!to.isWritable()) {
      from.config().setAutoRead(false);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (compute != null) {
      compute.config().setAutoRead(ctx.channel().isWritable());
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closed = true;
    if (compute != null) {
      compute.close();
    }
    if (lease != null) {
      lease.close();
    }
    early.forEach(ReferenceCountUtil::release);
    early.clear();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(ctx, cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause);
  }

  private void fail(ChannelHandlerContext ctx, Throwable cause) {
    PgException e = cause instanceof PgException p ? p
        : new PgException(SqlState.CANNOT_CONNECT_NOW, cause.toString(), null, true);
    if (!(cause instanceof PgException)) {
      LOG.warn("Closing a client connection at the gateway: {}", cause.toString(), cause);
    }
    ByteBuf out = ctx.alloc().buffer();
    Backend.fatal(out, e);
    ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
  }
}
