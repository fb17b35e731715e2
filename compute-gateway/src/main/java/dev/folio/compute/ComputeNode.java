package dev.folio.compute;

import dev.folio.compute.fleet.ComputeDirectory;
import dev.folio.compute.fleet.ComputeSpec;
import dev.folio.compute.fleet.Role;
import dev.folio.compute.fleet.RunningCompute;
import dev.folio.compute.storage.WalFollower;
import dev.folio.format.Lsn;
import dev.folio.wal.writer.TimelineTail;
import dev.folio.compute.pgwire.FrontendMessage;
import dev.folio.compute.pgwire.PgServer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.List;
import dev.folio.compute.sql.Database;
import dev.folio.compute.sql.FolioSqlEngine;
import dev.folio.compute.storage.BufferCache;
import dev.folio.compute.storage.PageServiceClient;
import dev.folio.compute.storage.Transactions;
import dev.folio.format.TimelineId;
import dev.folio.format.page.Page;
import dev.folio.wal.writer.WalWriter;
import dev.folio.wal.writer.WalWriterConfig;
import io.micrometer.core.instrument.MeterRegistry;
import dev.folio.ops.OpsServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.security.SecureRandom;

/**
 * A compute node: stateless, started from a timeline id alone. A primary opens the timeline's WAL
 * writer (fencing any earlier primary); a hot replica follows the log instead ({@link WalFollower})
 * and a static compute reads at one LSN; each reads the control page and the catalog through the
 * page service and serves SQL over the PostgreSQL protocol, with health (unhealthy once a
 * primary's writer is fenced or failed, or a replica stops following) and Prometheus metrics over
 * HTTP. Its id is {@code c-} and 12 characters.
 */
public final class ComputeNode implements RunningCompute {
  /**
   * Where a compute connects and what it serves.
   *
   * @param pageServiceToken a JWT for the tenant, for the page service
   * @param bufferBytes the buffer cache's bound (pages whose changes are not yet durable may exceed it)
   * @param httpPort the port of {@code /health} and {@code /metrics}: 0 for any free one, -1 for none
   */
  public record Config(WalWriterConfig wal, String pageServiceHost, int pageServicePort, String tenant,
      TimelineId timeline, String pageServiceToken, long bufferBytes, PgServer.Config postgres, int httpPort) {
    /** Without health and metrics over HTTP. */
    public Config(WalWriterConfig wal, String pageServiceHost, int pageServicePort, String tenant,
        TimelineId timeline, String pageServiceToken, long bufferBytes, PgServer.Config postgres) {
      this(wal, pageServiceHost, pageServicePort, tenant, timeline, pageServiceToken, bufferBytes, postgres, -1);
    }

    /** The same compute for another timeline: how a gateway starts the computes of its branches. */
    public Config withTimeline(TimelineId other) {
      return new Config(wal, pageServiceHost, pageServicePort, tenant, other, pageServiceToken, bufferBytes, postgres,
          httpPort);
    }
  }

  private static final String ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";

  private final String id;
  private final String host;
  /** The primary's writer; null in a replica or a static compute. */
  private final WalWriter writer;
  /** A hot replica's follower of the log; null otherwise. */
  private final WalFollower follower;
  private final PageServiceClient pageService;
  private final BufferCache pages;
  private final java.util.function.LongSupplier readLsn;
  private final java.util.function.Supplier<String> health;
  private final PgServer server;
  private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final OpsServer ops;

  private ComputeNode(Config config, ComputeSpec spec, ComputeDirectory computes)
      throws InterruptedException, IOException {
    if (!spec.timeline().equals(config.timeline())) {
      throw new IllegalArgumentException("the compute's settings are for timeline " + config.timeline()
          + ", not " + spec.timeline());
    }
    this.id = spec.id();
    this.host = config.postgres().host();
    this.pageService = new PageServiceClient(config.pageServiceHost(), config.pageServicePort(), config.tenant(),
        config.timeline(), config.pageServiceToken());
    // The cache holds whole pages: its bound in bytes is a number of 8 KiB pages (at least 8).
    int cachePages = (int) Math.max(8, config.bufferBytes() / Page.SIZE);
    // A branch's own log starts after the LSN it branched at: its records come after its parent's.
    long branchLsn = pageService.branchLsn();
    Transactions transactions;
    switch (spec.role()) {
      case PRIMARY -> {
        writer = WalWriter.open(config.wal(), config.timeline(), branchLsn, meters);
        follower = null;
        pages = new BufferCache(pageService, writer, cachePages, branchLsn);
        transactions = new Transactions(pages, writer);
        readLsn = writer::durableLsn;
        health = writer::problem;
      }
      case REPLICA -> {
        writer = null;
        follower = WalFollower.open(config.wal(), config.timeline(), branchLsn, meters);
        pages = new BufferCache(pageService, follower.appliedLsn(), follower::appliedLsn, cachePages);
        transactions = Transactions.readOnly(pages, follower::appliedLsn);
        follower.start(pages, transactions);
        readLsn = follower::appliedLsn;
        health = follower::problem;
      }
      default -> {
        long at;
        try {
          at = spec.atTime() != null ? pageService.lsnAt(spec.atTime()) : spec.atLsn();
          long end = Lsn.max(branchLsn, TimelineTail.followFrom(config.wal(), config.timeline()).lastCommittedFlush());
          if (Lsn.compare(at, end) > 0) {
            throw new IllegalArgumentException("LSN " + Lsn.format(at) + " is beyond the end of the timeline's log "
                + "(its last commit is at " + Lsn.format(end) + ")");
          }
        } catch (RuntimeException e) {
          pageService.close();
          throw e;
        }
        writer = null;
        follower = null;
        pages = new BufferCache(pageService, at, () -> at, cachePages);
        transactions = Transactions.readOnly(pages, () -> at);
        readLsn = () -> at;
        health = () -> null;
      }
    }
    pages.register(meters);
    Database db = Database.open(pages, transactions, meters, computes);
    this.server = PgServer.start(config.postgres(), () -> new FolioSqlEngine(db));
    this.ops = config.httpPort() < 0 ? null : new OpsServer(config.postgres().host(), config.httpPort(), meters,
        health::get);
    if (ops != null) {
      // What a gateway that started this compute in another process shows in its registry.
      ops.route("/status", ex -> OpsServer.reply(ex, 200, "application/json", String.format(java.util.Locale.ROOT,
          "{\"lsn\": %d, \"buffer_cache_bytes\": %d, \"hit_ratio\": %.6f}%n", lsn(), bufferCacheBytes(),
          hitRatio())));
    }
  }

  /** A primary on its own: a new id, and only itself in {@code folio.compute_nodes}. */
  public static ComputeNode start(Config config) throws InterruptedException, IOException {
    return new ComputeNode(config, new ComputeSpec(newId(), "", config.timeline(), Role.PRIMARY, 0, null), ComputeDirectory.NONE);
  }

  /** A compute a gateway runs: the gateway names it, says what it is, and knows the others. */
  public static ComputeNode start(Config config, ComputeSpec spec, ComputeDirectory computes)
      throws InterruptedException, IOException {
    return new ComputeNode(config.withTimeline(spec.timeline()), spec, computes);
  }

  /** A new compute id: {@code c-} and 12 random lowercase letters and digits. */
  public static String newId() {
    SecureRandom random = new SecureRandom();
    StringBuilder id = new StringBuilder("c-");
    for (int i = 0; i < 12; i++) {
      id.append(ID_CHARS.charAt(random.nextInt(ID_CHARS.length())));
    }
    return id.toString();
  }

  public String id() {
    return id;
  }

  /** The compute's meters: its WAL writer's, its buffer cache's, its scans', plans' and lock waits'. */
  public MeterRegistry meters() {
    return meters;
  }

  /** The port of {@code /health} and {@code /metrics}, or -1 when they are not served. */
  public int httpPort() {
    return ops == null ? -1 : ops.port();
  }

  @Override
  public String host() {
    return host;
  }

  @Override
  public int port() {
    return server.port();
  }

  @Override
  public boolean inProcess() {
    return true;
  }

  @Override
  public void adopt(Channel client, FrontendMessage.Startup startup, List<ByteBuf> early) {
    server.adopt(client, startup, early);
  }

  @Override
  public String problem() {
    return health.get();
  }

  /** The primary's last durable commit; the LSN a replica has followed the log to; a static compute's LSN. */
  @Override
  public long lsn() {
    return readLsn.getAsLong();
  }

  @Override
  public long bufferCacheBytes() {
    return (long) pages.size() * Page.SIZE;
  }

  @Override
  public double hitRatio() {
    long hits = pages.hits();
    long reads = hits + pages.misses();
    return reads == 0 ? 0 : (double) hits / reads;
  }

  @Override
  public void close() {
    if (ops != null) {
      ops.close();
    }
    server.close();
    if (writer != null) {
      writer.close();
    }
    if (follower != null) {
      follower.close();
    }
    try {
      pageService.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
