package dev.folio.compute;

import dev.folio.compute.pgwire.PgServer;
import dev.folio.compute.sql.Database;
import dev.folio.compute.sql.FolioSqlEngine;
import dev.folio.compute.storage.BufferCache;
import dev.folio.compute.storage.PageServiceClient;
import dev.folio.compute.storage.Transactions;
import dev.folio.format.TimelineId;
import dev.folio.wal.writer.WalWriter;
import dev.folio.wal.writer.WalWriterConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.security.SecureRandom;

/**
 * A compute node: stateless, started from a timeline id alone. It opens the timeline's WAL writer
 * (fencing any earlier primary), reads the control page and the catalog through the page service,
 * and serves SQL over the PostgreSQL protocol. Its id is {@code c-} and 12 characters.
 */
public final class ComputeNode implements AutoCloseable {
  /**
   * Where a compute connects and what it serves.
   *
   * @param pageServiceToken a JWT for the tenant, for the page service
   */
  public record Config(WalWriterConfig wal, String pageServiceHost, int pageServicePort, String tenant,
      TimelineId timeline, String pageServiceToken, int bufferPages, PgServer.Config postgres) {}

  private static final String ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";

  private final String id;
  private final WalWriter writer;
  private final PageServiceClient pageService;
  private final PgServer server;
  private final MeterRegistry meters = new SimpleMeterRegistry();

  private ComputeNode(Config config) throws InterruptedException {
    SecureRandom random = new SecureRandom();
    StringBuilder id = new StringBuilder("c-");
    for (int i = 0; i < 12; i++) {
      id.append(ID_CHARS.charAt(random.nextInt(ID_CHARS.length())));
    }
    this.id = id.toString();
    this.writer = WalWriter.open(config.wal(), config.timeline(), 0, meters);
    this.pageService = new PageServiceClient(config.pageServiceHost(), config.pageServicePort(), config.tenant(),
        config.timeline(), config.pageServiceToken());
    BufferCache pages = new BufferCache(pageService, writer, config.bufferPages());
    Database db = Database.open(pages, new Transactions(pages, writer), meters);
    this.server = PgServer.start(config.postgres(), () -> new FolioSqlEngine(db));
  }

  public static ComputeNode start(Config config) throws InterruptedException {
    return new ComputeNode(config);
  }

  public String id() {
    return id;
  }

  /** The compute's meters: its WAL writer's and its scans'. */
  public MeterRegistry meters() {
    return meters;
  }

  public int port() {
    return server.port();
  }

  @Override
  public void close() throws Exception {
    server.close();
    writer.close();
    pageService.close();
  }
}
