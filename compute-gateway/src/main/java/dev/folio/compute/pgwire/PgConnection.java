package dev.folio.compute.pgwire;

import dev.folio.compute.session.Column;
import dev.folio.compute.session.CopyIn;
import dev.folio.compute.session.Session;
import dev.folio.compute.session.SqlEngine;
import dev.folio.compute.session.StatementResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: startup (TLS negotiated by the {@link FrontendDecoder}; SCRAM-SHA-256, or trust when
 * configured), then the simple and extended query protocols over a {@link Session}. After an
 * error in the extended protocol, messages are skipped until Sync, as PostgreSQL does. Every
 * failure becomes an ErrorResponse with its SQLSTATE; a FATAL one closes the connection.
 */
final class PgConnection extends SimpleChannelInboundHandler<FrontendMessage> {
  private static final Logger LOG = LoggerFactory.getLogger(PgConnection.class);

  private record Statement(String sql, int[] parameterTypes) {}

  private record Portal(Statement statement, List<String> parameters, short[] resultFormats, List<String[]> pending,
      StatementResult result) {}

  private final PgServer.Config config;
  private final SqlEngine engine;
  private final Map<String, Statement> statements = new HashMap<>();
  private final Map<String, Portal> portals = new HashMap<>();
  private Session session;
  private Map<String, String> startup;
  private ScramSha256 scram;
  private boolean skippingToSync;
  /** A COPY FROM STDIN receiving its data, and the statements of its Query after it; null when not copying. */
  private PendingCopy copying;

  private record PendingCopy(CopyIn copy, List<String> rest, ByteArrayOutputStream data) {}

  /** COPY data held in memory before it is loaded: more is refused rather than exhausting the heap. */
  private static final int MAX_COPY_BYTES = 512 << 20;
  /** Settings that changed during a statement, sent as ParameterStatus after it. */
  private final List<String[]> reportTo = new ArrayList<>();

  private final Map<Integer, PgConnection> sessions;
  private int processId;
  private int secretKey;
  /** The session's thread while it runs a message, for a cancel to interrupt; null between messages. */
  private Thread running;

  PgConnection(PgServer.Config config, SqlEngine engine, Map<Integer, PgConnection> sessions) {
    this.config = config;
    this.engine = engine;
    this.sessions = sessions;
  }

  /**
   * Cancels what the session runs now, if anything (CancelRequest): its thread is interrupted, and a
   * statement that waits (for a lock, a page) or scans stops with 57014. A commit that is being
   * made durable is not interrupted.
   */
  private synchronized void cancel() {
    if (running != null) {
      running.interrupt();
    }
  }

  private synchronized void running(boolean now) {
    running = now ? Thread.currentThread() : null;
    if (!now) {
      Thread.interrupted(); // a cancel that came as the statement ended must not reach the next one
    }
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FrontendMessage m) {
    running(true);
    try {
      respond(ctx, m);
    } finally {
      running(false);
    }
  }

  private void respond(ChannelHandlerContext ctx, FrontendMessage m) {
    ByteBuf out = ctx.alloc().buffer();
    try {
      handle(ctx, m, out);
    } catch (PgException e) {
      if (session != null) {
        session.failed();
      }
      Backend.error(out, false, e.fatal() ? "FATAL" : "ERROR", e.sqlState(), e.getMessage(), e.detail(), e.hint());
      if (e.fatal()) {
        ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
        return;
      }
      if (m instanceof FrontendMessage.Query) {
        Backend.readyForQuery(out, session.status().code);
      } else {
        skippingToSync = true;
      }
    } catch (RuntimeException e) {
      LOG.error("Unexpected failure on a client connection", e);
      Backend.error(out, false, "ERROR", SqlState.INTERNAL_ERROR, e.toString(), null, null);
      if (session == null) {
        ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
        return;
      }
      session.failed();
      if (m instanceof FrontendMessage.Query) {
        Backend.readyForQuery(out, session.status().code);
      } else {
        skippingToSync = true;
      }
    }
    if (out.isReadable()) {
      ctx.write(out);
    } else {
      out.release();
    }
    if (!(m instanceof FrontendMessage.Parse || m instanceof FrontendMessage.Bind
        || m instanceof FrontendMessage.Describe || m instanceof FrontendMessage.Execute
        || m instanceof FrontendMessage.Close) || skippingToSync) {
      ctx.flush();
    }
  }

  private void handle(ChannelHandlerContext ctx, FrontendMessage m, ByteBuf out) {
    if (copying != null) {
      copy(m, out);
      return;
    }
    if (m instanceof FrontendMessage.CopyData || m instanceof FrontendMessage.CopyDone
        || m instanceof FrontendMessage.CopyFail) {
      return; // what a client still sends after its COPY failed: dropped, as PostgreSQL does
    }
    if (skippingToSync && !(m instanceof FrontendMessage.Sync)) {
      return;
    }
    if (m instanceof FrontendMessage.CancelRequest c) {
      PgConnection target = sessions.get(c.processId());
      if (target != null && target.secretKey == c.secretKey()) {
        target.cancel();
      }
      ctx.close();
    } else if (m instanceof FrontendMessage.Terminate) {
      ctx.close();
    } else if (m instanceof FrontendMessage.Startup s) {
      startup(s, out);
    } else if (m instanceof FrontendMessage.Password p) {
      password(p, out);
    } else if (session == null) {
      throw PgException.protocol("expected a startup or password message, got " + m.getClass().getSimpleName());
    } else {
      query(m, out);
    }
  }

  private void startup(FrontendMessage.Startup s, ByteBuf out) {
    startup = s.parameters();
    String user = startup.get("user");
    if (user == null || user.isEmpty()) {
      throw new PgException(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, "no PostgreSQL user name specified in the "
          + "startup packet", null, true);
    }
    if (config.trust()) {
      open(out);
      return;
    }
    String password = config.passwords().get(user);
    if (password == null) {
      throw new PgException(SqlState.INVALID_PASSWORD, "password authentication failed for user \"" + user + "\"",
          null, true);
    }
    scram = new ScramSha256(password);
    Backend.authenticationSasl(out, ScramSha256.MECHANISM);
  }

  private void password(FrontendMessage.Password p, ByteBuf out) {
    if (scram == null) {
      throw PgException.protocol("unexpected password message");
    }
    ByteBuf b = Unpooled.wrappedBuffer(p.payload());
    if (!scram.started()) {
      String mechanism = FrontendDecoder.string(b);
      if (!mechanism.equals(ScramSha256.MECHANISM)) {
        throw new PgException(SqlState.PROTOCOL_VIOLATION, "SASL mechanism " + mechanism + " is not supported", null,
            true);
      }
      int length = b.readInt();
      String first = b.toString(b.readerIndex(), length, StandardCharsets.UTF_8);
      Backend.authenticationSaslData(out, 11, scram.first(first));
      return;
    }
    Backend.authenticationSaslData(out, 12, scram.last(new String(p.payload(), StandardCharsets.UTF_8)));
    scram = null;
    open(out);
  }

  private void open(ByteBuf out) {
    Backend.authenticationOk(out);
    session = new Session(engine, startup, (name, value) -> reportTo.add(new String[] {name, value}));
    session.reportedSettings().forEach((k, v) -> Backend.parameterStatus(out, k, v));
    do {
      processId = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
    } while (sessions.putIfAbsent(processId, this) != null);
    secretKey = new java.security.SecureRandom().nextInt();
    Backend.backendKeyData(out, processId, secretKey);
    Backend.readyForQuery(out, session.status().code);
  }

  private void flushReported(ByteBuf out) {
    for (String[] s : reportTo) {
      Backend.parameterStatus(out, s[0], s[1]);
    }
    reportTo.clear();
  }

  private void query(FrontendMessage m, ByteBuf out) {
    if (m instanceof FrontendMessage.Query q) {
      simpleQuery(q.sql(), out);
    } else if (m instanceof FrontendMessage.Parse p) {
      if (!p.statement().isEmpty() && statements.containsKey(p.statement())) {
        throw new PgException("42P05", "prepared statement \"" + p.statement() + "\" already exists");
      }
      // One statement, its trailing semicolon dropped, as PostgreSQL takes it (pgbench sends one).
      List<String> parts = StatementSplitter.split(p.sql());
      if (parts.size() > 1) {
        throw new PgException(SqlState.SYNTAX_ERROR, "cannot insert multiple commands into a prepared statement");
      }
      statements.put(p.statement(), new Statement(parts.isEmpty() ? "" : parts.get(0), p.parameterTypes()));
      Backend.parseComplete(out);
    } else if (m instanceof FrontendMessage.Bind b) {
      bind(b, out);
    } else if (m instanceof FrontendMessage.Describe d) {
      describe(d, out);
    } else if (m instanceof FrontendMessage.Execute e) {
      execute(e, out);
    } else if (m instanceof FrontendMessage.Close c) {
      if (c.kind() == 'S') {
        statements.remove(c.name());
      } else {
        portals.remove(c.name());
      }
      Backend.closeComplete(out);
    } else if (m instanceof FrontendMessage.Sync) {
      skippingToSync = false;
      portals.remove("");
      Backend.readyForQuery(out, session.status().code);
    }
  }

  private void simpleQuery(String sql, ByteBuf out) {
    List<String> parts = StatementSplitter.split(sql);
    if (parts.isEmpty()) {
      Backend.emptyQueryResponse(out);
    }
    run(parts, out);
  }

  /** Runs a Query's statements in order; a COPY FROM STDIN among them waits for its data. */
  private void run(List<String> parts, ByteBuf out) {
    for (int i = 0; i < parts.size(); i++) {
      StatementResult r = session.execute(parts.get(i), List.of());
      if (r.copyIn() != null) {
        copying = new PendingCopy(r.copyIn(), parts.subList(i + 1, parts.size()), new ByteArrayOutputStream());
        Backend.copyInResponse(out, r.copyIn().columns());
        return;
      }
      send(r, r.rows(), null, out);
      flushReported(out);
    }
    Backend.readyForQuery(out, session.status().code);
  }

  /**
   * Copy-in mode: CopyData is gathered, CopyDone loads it and runs the rest of the Query, CopyFail
   * (or an error) fails the statement. Either way the Query ends with ReadyForQuery.
   */
  private void copy(FrontendMessage m, ByteBuf out) {
    PendingCopy c = copying;
    if (m instanceof FrontendMessage.CopyData d) {
      if (c.data().size() + d.data().length > MAX_COPY_BYTES) {
        copying = null;
        fail(new PgException("54000", "COPY data exceeds " + (MAX_COPY_BYTES >> 20)
            + " MiB; split it into several COPY statements"), out);
        return;
      }
      c.data().writeBytes(d.data());
      return;
    }
    if (m instanceof FrontendMessage.Flush || m instanceof FrontendMessage.Sync) {
      return;
    }
    copying = null;
    try {
      if (m instanceof FrontendMessage.CopyDone) {
        StatementResult r = c.copy().finish(c.data().toByteArray());
        send(r, r.rows(), null, out);
        run(c.rest(), out);
      } else if (m instanceof FrontendMessage.CopyFail f) {
        throw new PgException(SqlState.QUERY_CANCELED, "COPY from stdin failed: " + f.message());
      } else {
        throw new PgException(SqlState.PROTOCOL_VIOLATION, "unexpected message during COPY: "
            + m.getClass().getSimpleName());
      }
    } catch (PgException e) {
      fail(e, out);
    }
  }

  private void fail(PgException e, ByteBuf out) {
    session.failed();
    Backend.error(out, false, "ERROR", e.sqlState(), e.getMessage(), e.detail(), e.hint());
    Backend.readyForQuery(out, session.status().code);
  }

  private void bind(FrontendMessage.Bind b, ByteBuf out) {
    Statement s = statements.get(b.statement());
    if (s == null) {
      throw new PgException(SqlState.INVALID_SQL_STATEMENT_NAME, "prepared statement \"" + b.statement()
          + "\" does not exist");
    }
    List<String> params = new ArrayList<>();
    for (int i = 0; i < b.values().size(); i++) {
      short format = b.parameterFormats().length == 0 ? 0
          : b.parameterFormats()[b.parameterFormats().length == 1 ? 0 : i];
      byte[] v = b.values().get(i);
      int type = i < s.parameterTypes().length ? s.parameterTypes()[i] : 0;
      params.add(v == null ? null : format == 0 ? new String(v, StandardCharsets.UTF_8) : binaryAsText(type, v));
    }
    portals.put(b.portal(), new Portal(s, params, b.resultFormats(), null, null));
    Backend.bindComplete(out);
  }

  /** A parameter sent in binary format, in the text form the session takes (pgjdbc sends numbers so). */
  private static String binaryAsText(int type, byte[] v) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(v);
    return switch (type) {
      case 21 -> Short.toString(b.getShort());
      case 23 -> Integer.toString(b.getInt());
      case 20 -> Long.toString(b.getLong());
      case 700 -> Float.toString(b.getFloat());
      case 701 -> Double.toString(b.getDouble());
      case 16 -> v[0] != 0 ? "t" : "f";
      case 25, 1043, 1042, 19 -> new String(v, StandardCharsets.UTF_8);
      case 17 -> "\\x" + java.util.HexFormat.of().formatHex(v);
      case 1082 -> BinaryValues.date(b.getInt());
      case 1114, 1184 -> BinaryValues.timestamp(b.getLong());
      case 1700 -> BinaryValues.numeric(b);
      default -> throw new PgException(SqlState.FEATURE_NOT_SUPPORTED, "binary parameters of type " + type
          + " are not supported yet");
    };
  }

  private void describe(FrontendMessage.Describe d, ByteBuf out) {
    Statement s = null;
    if (d.kind() == 'S') {
      s = statements.get(d.name());
      if (s == null) {
        throw new PgException(SqlState.INVALID_SQL_STATEMENT_NAME, "prepared statement \"" + d.name()
            + "\" does not exist");
      }
      Backend.parameterDescription(out, s.parameterTypes());
    }
    short[] formats = new short[0];
    if (d.kind() != 'S') {
      Portal p = portals.get(d.name());
      if (p == null) {
        throw new PgException(SqlState.INVALID_CURSOR_NAME, "portal \"" + d.name() + "\" does not exist");
      }
      s = p.statement();
      formats = p.resultFormats();
    }
    List<Column> columns = StatementSplitter.split(s.sql()).isEmpty() ? null
        : session.describe(s.sql(), s.parameterTypes().length);
    if (columns == null) {
      Backend.noData(out);
    } else {
      Backend.rowDescription(out, columns, formats);
    }
  }

  private void execute(FrontendMessage.Execute e, ByteBuf out) {
    Portal p = portals.get(e.portal());
    if (p == null) {
      throw new PgException(SqlState.INVALID_CURSOR_NAME, "portal \"" + e.portal() + "\" does not exist");
    }
    if (StatementSplitter.split(p.statement().sql()).isEmpty()) {
      Backend.emptyQueryResponse(out);
      return;
    }
    StatementResult result = p.result();
    List<String[]> pending = p.pending();
    if (result == null) {
      result = session.execute(p.statement().sql(), p.parameters());
      if (result.copyIn() != null) {
        throw new PgException(SqlState.FEATURE_NOT_SUPPORTED,
            "COPY FROM STDIN is served in the simple query protocol only");
      }
      pending = new ArrayList<>(result.rows());
    }
    int limit = e.maxRows() <= 0 ? Integer.MAX_VALUE : e.maxRows();
    if (pending.size() > limit) {
      List<String[]> now = new ArrayList<>(pending.subList(0, limit));
      send(result, now, p.resultFormats(), out);
      portals.put(e.portal(), new Portal(p.statement(), p.parameters(), p.resultFormats(),
          new ArrayList<>(pending.subList(limit, pending.size())), result));
      Backend.portalSuspended(out);
      return;
    }
    send(result, pending, p.resultFormats(), out);
    flushReported(out);
    Backend.commandComplete(out, result.commandTag());
    portals.put(e.portal(), new Portal(p.statement(), p.parameters(), p.resultFormats(), List.of(), result));
  }

  /**
   * The notice and the rows; in the simple protocol ({@code formats} null) with their description
   * before and the tag after, in the extended one in the formats Bind asked for.
   */
  private static void send(StatementResult r, List<String[]> rows, short[] formats, ByteBuf out) {
    boolean simple = formats == null;
    if (r.notice() != null) {
      // PostgreSQL warns of transaction misuse (class 25) and merely notes the rest (already exists, skipping…).
      String severity = r.notice()[0].startsWith("25") ? "WARNING" : "NOTICE";
      Backend.error(out, true, severity, r.notice()[0], r.notice()[1], null, null);
    }
    if (r.columns() != null && simple) {
      Backend.rowDescription(out, r.columns());
    }
    for (String[] row : rows) {
      if (simple) {
        Backend.dataRow(out, row);
      } else {
        Backend.dataRow(out, row, r.columns(), formats);
      }
    }
    if (simple) {
      Backend.commandComplete(out, r.commandTag());
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (processId != 0) {
      sessions.remove(processId, this);
    }
    if (session != null) {
      session.close();
    }
    super.channelInactive(ctx);
  }

  /**
   * The last event of a connection, on its session's own thread: that thread ends here, after the
   * session has been closed (its transaction rolled back) in {@link #channelInactive}.
   */
  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (ctx.executor() != ctx.channel().eventLoop()) {
      ctx.executor().parent().shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    ByteBuf out = ctx.alloc().buffer();
    if (c instanceof PgException e) {
      Backend.fatal(out, e);
    } else {
      LOG.warn("Closing a client connection: {}", c.toString(), c);
      Backend.error(out, false, "FATAL", SqlState.PROTOCOL_VIOLATION, c.toString(), null, null);
    }
    ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
  }
}
