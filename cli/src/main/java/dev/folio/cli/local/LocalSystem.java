package dev.folio.cli.local;

import dev.folio.compute.ComputeNode;
import dev.folio.compute.fleet.ComputeLauncher;
import dev.folio.compute.fleet.Role;
import dev.folio.compute.gateway.ComputeProcess;
import dev.folio.compute.gateway.Gateway;
import dev.folio.compute.storage.PageServiceClient;
import dev.folio.compute.pgwire.PgServer;
import dev.folio.flink.gc.GarbageCollector;
import dev.folio.flink.local.LocalFlink;
import dev.folio.flink.materializer.FaultInjector;
import dev.folio.flink.materializer.MaterializerConfig;
import dev.folio.flink.materializer.WalMaterializerJob;
import dev.folio.format.TimelineId;
import dev.folio.format.index.TimelineIndex;
import dev.folio.format.layout.StorageLayout;
import dev.folio.pageservice.PageServer;
import dev.folio.pageservice.PageServiceConfig;
import dev.folio.pageservice.auth.JwtAuthenticator;
import dev.folio.pageservice.storage.ObjectStore;
import dev.folio.testsupport.EmbeddedKafka;
import dev.folio.testsupport.EmbeddedS3;
import dev.folio.testsupport.S3Endpoint;
import dev.folio.wal.topic.WalTopic;
import dev.folio.wal.topic.WalTopicConfig;
import dev.folio.wal.writer.WalWriterConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;

/**
 * The whole of Folio on one machine, on embedded defaults, its data under one folder: a Kafka
 * broker (KRaft) and S3Proxy (objects on disk), the materializer on a Flink MiniCluster (resuming
 * from its last retained checkpoint), the page service, and the gateway, which starts a compute for
 * each branch a client names (one for {@code main} at once) and suspends it when idle, and manages
 * branches ({@link StoredBranches}). The management API's address goes to {@code api} and its token
 * to {@code admin-token} in the folder. Started again on the same folder, it has the same data.
 * Everything it starts is stopped by {@link #close}, last started first.
 */
public final class LocalSystem implements AutoCloseable {
  static final String TENANT = "default";
  static final String BUCKET = "folio";
  /** Each compute's buffer cache: PostgreSQL's default shared_buffers is 128 MB; a compute has no OS cache under it. */
  static final long COMPUTE_CACHE_BYTES = 256L << 20;

  private final List<AutoCloseable> started = new ArrayList<>();
  private final Gateway gateway;
  private final String adminToken;
  private final String mainCompute;
  private final TimelineId timeline;
  private final String bootstrapServers;
  private final java.util.function.Function<TimelineId, PageServiceClient> pageServices;
  private final WalTopicConfig topic;
  private final ObjectStore store;
  private final StorageLayout layout;

  private LocalSystem(Path home, Options options, PrintStream log) throws Exception {
    try {
      Files.createDirectories(home);
      String secret = token(home.resolve("secret"));
      log.println("folio local: Kafka (KRaft) under " + home.resolve("kafka"));
      EmbeddedKafka kafka = EmbeddedKafka.start(home.resolve("kafka"));
      started.add(kafka);
      log.println("folio local: S3 (S3Proxy) under " + home.resolve("s3"));
      EmbeddedS3 s3 = EmbeddedS3.start(home.resolve("s3"), "folio", secret.substring(0, 24));
      started.add(s3);
      s3.createBucket(BUCKET);
      S3Endpoint endpoint = new S3Endpoint(s3.endpoint(), EmbeddedS3.REGION, s3.accessKey(), s3.secretKey(), BUCKET, "");
      bootstrapServers = kafka.bootstrapServers();
      topic = WalTopicConfig.singleBroker(WalTopicConfig.DEFAULT_PREFIX);
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
        WalTopic.ensure(admin, topic);
      }
      layout = new StorageLayout(endpoint.s3aRoot(), TENANT);
      store = new ObjectStore(endpoint.s3aRoot(), endpoint.s3aProperties());
      started.add(store);
      timeline = StoredBranches.ensure(store, layout, "main");

      LocalFlink.S3 flinkS3 = new LocalFlink.S3(s3.endpoint(), s3.accessKey(), s3.secretKey(), layout.checkpoints());
      String resume = LocalFlink.latestCheckpoint(flinkS3);
      log.println("folio local: the materializer on a Flink MiniCluster"
          + (resume == null ? "" : ", resuming from " + resume));
      StreamExecutionEnvironment env = LocalFlink.environment(flinkS3, 1, Duration.ofSeconds(5), resume);
      GarbageCollector.Settings gc = GarbageCollector.Settings.DEFAULT;
      WalMaterializerJob.build(env, MaterializerConfig.of(kafka.bootstrapServers(), topic, layout)
          .withGc(new GarbageCollector.Settings(options.pitrWindow(), gc.interval(), gc.grace())), FaultInjector.NONE);
      JobClient job = env.executeAsync("folio-local-materializer");
      started.add(() -> job.cancel().get());

      Properties p = PageServiceConfig.localProperties(kafka.bootstrapServers(), topic, endpoint.s3aRoot(),
          endpoint.s3aProperties(), secret);
      p.setProperty("cache.dir", home.resolve("cache").toString());
      PageServer pageServer = PageServer.start(PageServiceConfig.from(p));
      started.add(pageServer);
      log.println("folio local: page service on port " + pageServer.grpcPort() + ", metrics on http://127.0.0.1:"
          + pageServer.httpPort() + "/metrics");

      String token = new JwtAuthenticator(secret).issue("folio-local", TENANT, Duration.ofDays(3650));
      ComputeNode.Config compute = new ComputeNode.Config(WalWriterConfig.of(kafka.bootstrapServers(), topic),
          "127.0.0.1", pageServer.grpcPort(), TENANT, timeline, token, COMPUTE_CACHE_BYTES,
          new PgServer.Config("127.0.0.1", 0, true, Map.of()), 0);
      adminToken = token(home.resolve("admin-token"));
      int pageServicePort = pageServer.grpcPort();
      pageServices = t -> new PageServiceClient("127.0.0.1", pageServicePort, TENANT, t, token);
      StoredBranches branches = new StoredBranches(store, layout, compute.wal(), pageServices, flinkS3);
      started.add(branches);
      // A process compute asks the management API for folio.compute_nodes: its address is known once
      // the gateway listens, and no compute starts before that.
      ComputeLauncher launcher = options.processIsolation()
          ? (spec, computes) -> ComputeProcess.launcher(compute, api(), adminToken).launch(spec, computes)
          : (spec, computes) -> ComputeNode.start(compute, spec, computes);
      gateway = Gateway.start(new Gateway.Config("127.0.0.1", options.postgresPort(), null, options.httpPort(),
          adminToken, options.suspendAfter(), options.readOnlyPort(), options.sessionsPerReplica(),
          options.writeForwarding()),
          branches, launcher);
      started.add(gateway);
      Files.writeString(home.resolve("api"), api() + "\n");
      mainCompute = gateway.fleet().start("main", Role.PRIMARY, 0, null).id();
      log.println("folio local: gateway on port " + gateway.port() + ", management API, health and metrics on "
          + api() + "; compute " + mainCompute + " for branch main");
    } catch (Exception | Error e) {
      // What started before the failure stops again: a failed start leaves nothing running.
      try {
        close();
      } catch (Exception closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  /**
   * Where and how the local system listens, how it runs computes, and how much history it keeps.
   *
   * @param readOnlyPort the read-only address (sessions on hot replicas)
   * @param sessionsPerReplica read-only sessions per hot replica above which the gateway starts another
   * @param processIsolation each compute in a JVM of its own, rather than in this one
   * @param writeForwarding writes sent to a replica go to the primary (else 25006)
   * @param pitrWindow how far back reads stay possible: garbage collection keeps that much history
   */
  public record Options(int postgresPort, int readOnlyPort, int httpPort, Duration suspendAfter,
      int sessionsPerReplica, boolean processIsolation, boolean writeForwarding, Duration pitrWindow) {
    /**
     * The PostgreSQL port, any free ones for the read-only address and the management API, the
     * default suspension, computes in this JVM, writes forwarded, the default PITR window.
     */
    public static Options postgresOn(int port) {
      return new Options(port, 0, 0, Gateway.Config.DEFAULT_SUSPEND_AFTER, Gateway.Config.DEFAULT_SESSIONS_PER_REPLICA,
          false, true, GarbageCollector.Settings.DEFAULT.window());
    }
  }


  public static LocalSystem start(Path home, Options options, PrintStream log) throws Exception {
    return new LocalSystem(home, options, log);
  }

  public static LocalSystem start(Path home, int postgresPort, PrintStream log) throws Exception {
    return start(home, Options.postgresOn(postgresPort), log);
  }

  /** The gateway's PostgreSQL port: {@code postgresql://folio@127.0.0.1:PORT/BRANCH}. */
  public int postgresPort() {
    return gateway.port();
  }

  /** The read-only address's port: sessions on the branch's hot replicas. */
  public int readOnlyPort() {
    return gateway.readOnlyPort();
  }

  /** The management API's base URL. */
  public String api() {
    if (gateway == null) {
      throw new IllegalStateException("the gateway is still starting");
    }
    return "http://127.0.0.1:" + gateway.httpPort();
  }

  public String adminToken() {
    return adminToken;
  }

  public Gateway gateway() {
    return gateway;
  }

  /** The compute started for branch main. */
  public String computeId() {
    return mainCompute;
  }

  public TimelineId timeline() {
    return timeline;
  }

  /** A client of the page service for a timeline (the caller closes it). */
  public PageServiceClient pageService(TimelineId timeline) {
    return pageServices.apply(timeline);
  }

  /** The object store and its layout, for checks in this package. */
  ObjectStore store() {
    return store;
  }

  StorageLayout layout() {
    return layout;
  }

  /** A timeline's newest index, or null if it has none. */
  public TimelineIndex newestIndex(TimelineId timeline) {
    return StoredBranches.newest(store, layout, timeline);
  }

  /** The embedded broker, for tools and checks. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The WAL topic and its dead-letter topic. */
  public WalTopicConfig topic() {
    return topic;
  }

  /**
   * A secret kept in a file (the one that signs tokens and keys S3, the admin token): made once,
   * readable by the owner only.
   */
  private static String token(Path file) throws IOException {
    if (Files.exists(file)) {
      return Files.readString(file).strip();
    }
    byte[] random = new byte[36];
    new SecureRandom().nextBytes(random);
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    Files.writeString(file, secret);
    file.toFile().setReadable(false, false);
    file.toFile().setReadable(true, true);
    return secret;
  }

  @Override
  public void close() throws Exception {
    Exception failure = null;
    List<AutoCloseable> reversed = new ArrayList<>(started);
    Collections.reverse(reversed);
    for (AutoCloseable c : reversed) {
      try {
        c.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
