package dev.folio.compute.pgwire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Frames and decodes the frontend side of the PostgreSQL protocol 3.0. Before startup a message
 * is {@code int32 length, int32 code, body} (SSLRequest 80877103, CancelRequest 80877102, or the
 * protocol version 3.0 = 196608 with NUL-terminated name/value pairs); after it, every message is
 * {@code byte type, int32 length (itself included), body}. Strings are NUL-terminated UTF-8.
 * Hand-written on Netty: no maintained Java library implements the server side of this protocol.
 * A malformed or oversized message is a {@link PgException} (08P01), never a crash.
 *
 * <p>SSLRequest is answered here, on the connection's event loop, before another byte is read:
 * {@code S} and a TLS handler in front of this decoder when TLS is configured, else {@code N}
 * (GSSENCRequest is always {@code N}).
 */
public final class FrontendDecoder extends ByteToMessageDecoder {
  static final int SSL_REQUEST = 80877103;
  static final int CANCEL_REQUEST = 80877102;
  static final int GSSENC_REQUEST = 80877104;
  static final int PROTOCOL_3 = 196608;
  private static final int MAX_MESSAGE = 64 << 20;

  private final SslContext tls;
  private boolean started;
  private boolean secured;

  /** {@code tls}: the server's TLS context, or null to refuse TLS. */
  public FrontendDecoder(SslContext tls) {
    this.tls = tls;
  }

  /** A decoder for a connection whose startup packet was read already (by a gateway that hands it over). */
  static FrontendDecoder afterStartup() {
    FrontendDecoder d = new FrontendDecoder(null);
    d.started = true;
    return d;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (!started) {
      if (in.readableBytes() < 8) {
        return;
      }
      int length = in.getInt(in.readerIndex());
      if (length < 8 || length > 10_000) {
        throw PgException.protocol("invalid startup packet length " + length);
      }
      if (in.readableBytes() < length) {
        return;
      }
      in.skipBytes(4);
      int code = in.readInt();
      ByteBuf body = in.readSlice(length - 8);
      switch (code) {
        case SSL_REQUEST -> {
          boolean accept = tls != null && !secured;
          ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {(byte) (accept ? 'S' : 'N')}));
          if (accept) {
            secured = true;
            ctx.pipeline().addFirst("tls", tls.newHandler(ctx.alloc()));
          }
        }
        case GSSENC_REQUEST -> ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'N'}));
        case CANCEL_REQUEST -> out.add(new FrontendMessage.CancelRequest(body.readInt(), body.readInt()));
        case PROTOCOL_3 -> {
          Map<String, String> params = new LinkedHashMap<>();
          while (body.isReadable()) {
            String name = string(body);
            if (name.isEmpty()) {
              break;
            }
            params.put(name, string(body));
          }
          started = true;
          out.add(new FrontendMessage.Startup(code, params));
        }
        default -> throw new PgException(SqlState.PROTOCOL_VIOLATION, "unsupported frontend protocol "
            + (code >> 16) + "." + (code & 0xffff) + ": server supports 3.0");
      }
      return;
    }
    if (in.readableBytes() < 5) {
      return;
    }
    int length = in.getInt(in.readerIndex() + 1);
    if (length < 4 || length > MAX_MESSAGE) {
      throw PgException.protocol("invalid message length " + length);
    }
    if (in.readableBytes() < length + 1) {
      return;
    }
    char type = (char) in.readByte();
    in.skipBytes(4);
    ByteBuf body = in.readSlice(length - 4);
    try {
      out.add(message(type, body));
    } catch (IndexOutOfBoundsException e) {
      throw PgException.protocol("message '" + type + "' is shorter than its contents");
    }
  }

  private static FrontendMessage message(char type, ByteBuf b) {
    return switch (type) {
      case 'Q' -> new FrontendMessage.Query(string(b));
      case 'P' -> {
        String name = string(b);
        String sql = string(b);
        int[] types = new int[b.readUnsignedShort()];
        for (int i = 0; i < types.length; i++) {
          types[i] = b.readInt();
        }
        yield new FrontendMessage.Parse(name, sql, types);
      }
      case 'B' -> {
        String portal = string(b);
        String statement = string(b);
        short[] formats = shorts(b);
        int n = b.readUnsignedShort();
        List<byte[]> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          int len = b.readInt();
          if (len < -1) {
            throw PgException.protocol("invalid parameter length " + len);
          }
          values.add(len == -1 ? null : bytes(b, len));
        }
        yield new FrontendMessage.Bind(portal, statement, formats, values, shorts(b));
      }
      case 'D' -> new FrontendMessage.Describe((char) b.readByte(), string(b));
      case 'E' -> new FrontendMessage.Execute(string(b), b.readInt());
      case 'C' -> new FrontendMessage.Close((char) b.readByte(), string(b));
      case 'S' -> new FrontendMessage.Sync();
      case 'H' -> new FrontendMessage.Flush();
      case 'X' -> new FrontendMessage.Terminate();
      case 'p' -> new FrontendMessage.Password(bytes(b, b.readableBytes()));
      case 'd' -> new FrontendMessage.CopyData(bytes(b, b.readableBytes()));
      case 'c' -> new FrontendMessage.CopyDone();
      case 'f' -> new FrontendMessage.CopyFail(string(b));
      default -> throw PgException.protocol("invalid frontend message type '" + type + "'");
    };
  }

  private static short[] shorts(ByteBuf b) {
    short[] s = new short[b.readUnsignedShort()];
    for (int i = 0; i < s.length; i++) {
      s[i] = b.readShort();
    }
    return s;
  }

  private static byte[] bytes(ByteBuf b, int n) {
    byte[] out = new byte[n];
    b.readBytes(out);
    return out;
  }

  static String string(ByteBuf b) {
    int end = b.indexOf(b.readerIndex(), b.writerIndex(), (byte) 0);
    if (end < 0) {
      throw PgException.protocol("a string is not NUL-terminated");
    }
    String s = b.toString(b.readerIndex(), end - b.readerIndex(), StandardCharsets.UTF_8);
    b.readerIndex(end + 1);
    return s;
  }
}
