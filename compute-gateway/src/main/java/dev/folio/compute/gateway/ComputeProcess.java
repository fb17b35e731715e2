package dev.folio.compute.gateway;

import dev.folio.compute.ComputeNode;
import dev.folio.compute.fleet.ComputeDirectory;
import dev.folio.compute.fleet.ComputeInfo;
import dev.folio.compute.fleet.ComputeLauncher;
import dev.folio.compute.fleet.ComputeSpec;
import dev.folio.compute.fleet.Role;
import dev.folio.compute.fleet.RunningCompute;
import dev.folio.compute.pgwire.PgServer;
import dev.folio.format.TimelineId;
import dev.folio.wal.topic.WalTopicConfig;
import dev.folio.wal.writer.WalWriterConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A compute in a JVM of its own ({@code --isolation process}): the gateway's launcher and the
 * child's {@code main}. The gateway writes the compute's settings to the child's standard input as
 * Java properties (so the tokens and passwords in them never show in a process list), followed by
 * a line {@code END}; the child answers {@code READY <postgres port> <http port>} on its standard
 * output once it serves, and runs until its standard input closes (the gateway suspends it, or
 * the gateway is gone), then closes the compute and exits. Its {@code folio.compute_nodes} asks
 * the gateway's management API. The gateway relays its sessions over TCP and reads its health and
 * status over HTTP.
 */
public final class ComputeProcess {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private ComputeProcess() {}

  /**
   * Starts computes as child processes of this JVM, on this JVM's Java and class path.
   *
   * @param template every setting but the timeline (and ports, any free one)
   * @param api the gateway's management API, for the children's {@code folio.compute_nodes}
   */
  public static ComputeLauncher launcher(ComputeNode.Config template, String api, String adminToken) {
    if (template.postgres().tls() != null) {
      throw new IllegalArgumentException("a compute behind the gateway takes no TLS of its own: the gateway ends TLS");
    }
    return (spec, directory) -> start(template.withTimeline(spec.timeline()), spec, api, adminToken);
  }

  private static RunningCompute start(ComputeNode.Config config, ComputeSpec spec, String api, String adminToken)
      throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    long heap = Math.max(256L << 20, 2 * config.bufferBytes() + (192L << 20));
    Process child = new ProcessBuilder(java, "-Xmx" + (heap >> 20) + "m", "-cp", System.getProperty("java.class.path"),
        ComputeProcess.class.getName()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    StringWriter settings = new StringWriter();
    properties(config, spec, api, adminToken).store(settings, null);
    OutputStream in = child.getOutputStream();
    in.write((settings + "END\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
    BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
      try {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          if (line.startsWith("READY ")) {
            return line;
          }
        }
        return null;
      } catch (IOException e) {
        return null;
      }
    });
    String line;
    try {
      line = ready.get(config.wal().timeout().toMillis() + 30_000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      line = null;
    }
    if (line == null) {
      child.destroyForcibly();
      throw new IOException("the compute process did not start" + (child.isAlive() ? "" : " (exit code "
          + child.waitFor() + ")") + "; its errors are in the gateway's log");
    }
    String[] ports = line.split(" ");
    return new Child(child, config.postgres().host(), Integer.parseInt(ports[1]), Integer.parseInt(ports[2]));
  }

  /** The child's side: reads its settings, starts the compute, serves until its input closes. */
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    StringBuilder text = new StringBuilder();
    for (String line = in.readLine(); line != null && !line.equals("END"); line = in.readLine()) {
      text.append(line).append('\n');
    }
    Properties p = new Properties();
    p.load(new StringReader(text.toString()));
    ComputeNode.Config config = config(p);
    ComputeSpec spec = new ComputeSpec(p.getProperty("id"), p.getProperty("branch"), config.timeline(),
        Role.of(p.getProperty("role")), Long.parseLong(p.getProperty("at.lsn")),
        p.getProperty("at.time") == null ? null : java.time.Instant.parse(p.getProperty("at.time")));
    ComputeNode node = ComputeNode.start(config, spec, new ApiDirectory(p.getProperty("api"),
        p.getProperty("admin.token"), spec.branch()));
    Runtime.getRuntime().addShutdownHook(new Thread(node::close));
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    out.println("READY " + node.port() + " " + node.httpPort());
    while (in.read() >= 0) {
      // Nothing more is sent: the end of input is the signal to stop.
    }
    System.exit(0);
  }

  private static Properties properties(ComputeNode.Config c, ComputeSpec spec, String api, String adminToken) {
    Properties p = new Properties();
    WalWriterConfig wal = c.wal();
    WalTopicConfig topic = wal.topic();
    p.setProperty("id", spec.id());
    p.setProperty("branch", spec.branch());
    p.setProperty("role", spec.role().label());
    p.setProperty("at.lsn", String.valueOf(spec.atLsn()));
    if (spec.atTime() != null) {
      p.setProperty("at.time", spec.atTime().toString());
    }
    p.setProperty("api", api);
    p.setProperty("admin.token", adminToken);
    p.setProperty("wal.bootstrap.servers", wal.bootstrapServers());
    wal.clientProperties().forEach((k, v) -> p.setProperty("wal.client." + k, v));
    p.setProperty("wal.topic.prefix", topic.prefix());
    p.setProperty("wal.topic.partitions", String.valueOf(topic.partitions()));
    p.setProperty("wal.topic.replication", String.valueOf(topic.replicationFactor()));
    p.setProperty("wal.topic.min.insync", String.valueOf(topic.minInsyncReplicas()));
    p.setProperty("wal.topic.retention", topic.retention().toString());
    p.setProperty("wal.max.buffered.bytes", String.valueOf(wal.maxBufferedBytes()));
    p.setProperty("wal.max.flush.delay", wal.maxFlushDelay().toString());
    p.setProperty("wal.timeout", wal.timeout().toString());
    p.setProperty("page.service.host", c.pageServiceHost());
    p.setProperty("page.service.port", String.valueOf(c.pageServicePort()));
    p.setProperty("page.service.token", c.pageServiceToken());
    p.setProperty("tenant", c.tenant());
    p.setProperty("timeline", c.timeline().toString());
    p.setProperty("buffer.bytes", String.valueOf(c.bufferBytes()));
    p.setProperty("postgres.host", c.postgres().host());
    p.setProperty("postgres.trust", String.valueOf(c.postgres().trust()));
    c.postgres().passwords().forEach((user, password) -> p.setProperty("postgres.password." + user, password));
    return p;
  }

  private static ComputeNode.Config config(Properties p) {
    Map<String, String> client = new HashMap<>();
    Map<String, String> passwords = new HashMap<>();
    for (String name : p.stringPropertyNames()) {
      if (name.startsWith("wal.client.")) {
        client.put(name.substring("wal.client.".length()), p.getProperty(name));
      } else if (name.startsWith("postgres.password.")) {
        passwords.put(name.substring("postgres.password.".length()), p.getProperty(name));
      }
    }
    WalTopicConfig topic = new WalTopicConfig(p.getProperty("wal.topic.prefix"),
        Integer.parseInt(p.getProperty("wal.topic.partitions")), Short.parseShort(p.getProperty("wal.topic.replication")),
        Integer.parseInt(p.getProperty("wal.topic.min.insync")), Duration.parse(p.getProperty("wal.topic.retention")));
    WalWriterConfig wal = new WalWriterConfig(p.getProperty("wal.bootstrap.servers"), client, topic,
        Long.parseLong(p.getProperty("wal.max.buffered.bytes")), Duration.parse(p.getProperty("wal.max.flush.delay")),
        Duration.parse(p.getProperty("wal.timeout")));
    return new ComputeNode.Config(wal, p.getProperty("page.service.host"),
        Integer.parseInt(p.getProperty("page.service.port")), p.getProperty("tenant"),
        TimelineId.parse(p.getProperty("timeline")), p.getProperty("page.service.token"),
        Long.parseLong(p.getProperty("buffer.bytes")), new PgServer.Config(p.getProperty("postgres.host"), 0,
        Boolean.parseBoolean(p.getProperty("postgres.trust")), passwords), 0);
  }

  /** A compute process as the gateway sees it. */
  private static final class Child implements RunningCompute {
    private final Process process;
    private final String host;
    private final int port;
    private final int httpPort;
    private com.fasterxml.jackson.databind.JsonNode status;
    private long statusAt;

    Child(Process process, String host, int port, int httpPort) {
      this.process = process;
      this.host = host;
      this.port = port;
      this.httpPort = httpPort;
    }

    @Override
    public String host() {
      return host;
    }

    @Override
    public int port() {
      return port;
    }

    @Override
    public String problem() {
      if (!process.isAlive()) {
        return "the compute's process exited with code " + process.exitValue();
      }
      try {
        HttpResponse<String> health = get("/health");
        return health.statusCode() == 200 ? null : health.body();
      } catch (IOException e) {
        return "the compute's process does not answer: " + e.getMessage();
      }
    }

    @Override
    public long lsn() {
      return status().path("lsn").asLong();
    }

    @Override
    public long bufferCacheBytes() {
      return status().path("buffer_cache_bytes").asLong();
    }

    @Override
    public double hitRatio() {
      return status().path("hit_ratio").asDouble();
    }

    /** The process's status, asked at most once a second: a registry listing asks for three of its fields. */
    private synchronized com.fasterxml.jackson.databind.JsonNode status() {
      if (status == null || System.nanoTime() - statusAt > 1_000_000_000L) {
        try {
          status = ManagementApi.parse(get("/status").body());
        } catch (IOException e) {
          status = ManagementApi.parse("{}");
        }
        statusAt = System.nanoTime();
      }
      return status;
    }

    private HttpResponse<String> get(String path) throws IOException {
      try {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + httpPort + path))
            .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }

    /** Closes its input: it closes its compute and exits; if it has not within a minute, it is killed. */
    @Override
    public void close() {
      try {
        process.getOutputStream().close();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor();
        }
      } catch (IOException e) {
        process.destroyForcibly();
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  /** {@code folio.compute_nodes} in a compute process: the gateway's registry, over its management API. */
  private record ApiDirectory(String api, String adminToken, String branch) implements ComputeDirectory {
    @Override
    public List<ComputeInfo> computes() {
      List<ComputeInfo> out = new ArrayList<>();
      for (var c : get("/v1/computes").path("computes")) {
        out.add(ManagementApi.computeInfo(c));
      }
      return out;
    }

    @Override
    public List<String> branches() {
      List<String> out = new ArrayList<>();
      get("/v1/branches").path("branches").forEach(b -> out.add(b.path("name").asText()));
      return out;
    }

    @Override
    public String primaryAddress() {
      var forwarding = get("/v1/branches").path("write_forwarding");
      return forwarding.isTextual() ? forwarding.asText() + "/" + branch : null;
    }

    private com.fasterxml.jackson.databind.JsonNode get(String path) {
      try {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(api + path))
            .header("Authorization", "Bearer " + adminToken).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
          throw new IllegalStateException("the gateway's management API answered " + r.statusCode() + ": " + r.body());
        }
        return ManagementApi.parse(r.body());
      } catch (IOException e) {
        throw new IllegalStateException("the gateway's management API cannot be reached: " + e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }
}
