package dev.folio.compute.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.folio.compute.ComputeNode;
import static dev.folio.compute.gateway.ManagedGateway.ADMIN;
import static dev.folio.compute.gateway.ManagedGateway.api;
import static dev.folio.compute.gateway.ManagedGateway.uri;

import dev.folio.compute.Fixture;
import dev.folio.compute.pgwire.PgServer;
import dev.folio.compute.fleet.RunningCompute;
import dev.folio.testsupport.KafkaEndpoint;
import dev.folio.testsupport.LocalPostgres;
import dev.folio.testsupport.RealInfra;
import dev.folio.testsupport.S3Endpoint;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.util.PSQLException;

/**
 * The gateway on the real broker, S3 and page service, with real computes and pgjdbc: the
 * database names the branch (an unknown one is 3D000 with the branch list), a compute starts on
 * the first connection and is suspended after its idle time, wakes under the same id with every
 * commit, and is replaced when it can no longer serve (fenced by another primary). What
 * {@code folio.compute_nodes}, the management API and the metrics say agrees with what runs. The
 * first test's computes take over their connections; the second's are relayed, as computes in
 * processes of their own are; the third's run in processes of their own, one of which is killed.
 */
@RealInfra
class GatewayTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void branchesByNameComputesOnDemandAndScaleToZero(KafkaEndpoint kafka, S3Endpoint s3) throws Exception {
    try (Fixture f = Fixture.start(kafka, s3); Gateway gateway = start(f, Duration.ofSeconds(1), false)) {
      assertThatThrownBy(() -> connect(gateway, "nope")).isInstanceOfSatisfying(PSQLException.class, e -> {
        assertThat(e.getSQLState()).isEqualTo("3D000");
        assertThat(e.getServerErrorMessage().getHint()).isEqualTo("Branches: main.");
      });
      assertThat(api(gateway, "GET", "/v1/computes", null).get("computes")).isEmpty();

      String id;
      try (Connection c = connect(gateway, "main"); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE kv (k int PRIMARY KEY, v text)");
        s.execute("INSERT INTO kv VALUES (1, 'one')");
        List<String> rows = Fixture.rows(s.executeQuery(
            "SELECT id, branch, timeline, role, state, sessions FROM folio.compute_nodes"));
        assertThat(rows).hasSize(1);
        id = rows.get(0).split("\\|")[0];
        assertThat(rows.get(0)).matches("c-[a-z0-9]{12}\\|main\\|" + f.timeline() + "\\|primary\\|active\\|1");
        JsonNode listed = api(gateway, "GET", "/v1/computes", null).get("computes");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("id").asText()).isEqualTo(id);
        assertThat(listed.get(0).get("state").asText()).isEqualTo("active");
        assertThat(listed.get(0).get("address").asText()).startsWith("127.0.0.1:");
        assertThat(metrics(gateway)).contains("folio_gateway_sessions 1.0");
      }
      if (LocalPostgres.available()) {
        Process psql = new ProcessBuilder(LocalPostgres.bindir().resolve("psql").toString(), "-X", "-A", "-h",
            "127.0.0.1", "-p", String.valueOf(gateway.port()), "-U", "app", "-d", "main", "-c", "\\l")
            .redirectErrorStream(true).start();
        String out = new String(psql.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(psql.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(out).contains("main|app|UTF8|C|C||libc|");
      }

      // A client that sends its first query with its startup packet (before the gateway has a
      // compute for it) gets its answer: the bytes wait and go to the compute with the connection.
      try (java.net.Socket raw = new java.net.Socket("127.0.0.1", gateway.port())) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] params = "user\0app\0database\0main\0\0".getBytes(StandardCharsets.UTF_8);
        java.io.DataOutputStream d = new java.io.DataOutputStream(out);
        d.writeInt(8 + params.length);
        d.writeInt(196608);
        d.write(params);
        byte[] query = "SELECT count(*) FROM kv\0".getBytes(StandardCharsets.UTF_8);
        d.writeByte('Q');
        d.writeInt(4 + query.length);
        d.write(query);
        raw.getOutputStream().write(out.toByteArray());
        raw.getOutputStream().flush();
        java.io.DataInputStream in = new java.io.DataInputStream(raw.getInputStream());
        StringBuilder seen = new StringBuilder();
        int readyForQuery = 0;
        while (readyForQuery < 2) {
          char type = (char) in.readByte();
          byte[] body = new byte[in.readInt() - 4];
          in.readFully(body);
          seen.append(type);
          if (type == 'Z') {
            readyForQuery++;
          }
          if (type == 'D') {
            seen.append('(').append(new String(body, 6, body.length - 6, StandardCharsets.UTF_8)).append(')');
          }
          assertThat(type).as("an error instead of the answer: " + new String(body, StandardCharsets.UTF_8))
              .isNotEqualTo('E');
        }
        assertThat(seen.toString()).startsWith("R").contains("TD(1)CZ");
      }

      // No session: idle, then suspended after a second; its time stops counting.
      await().atMost(Duration.ofSeconds(30)).until(() -> state(gateway, id).equals("suspended"));
      JsonNode suspended = api(gateway, "GET", "/v1/computes", null).get("computes").get(0);
      assertThat(suspended.get("address").isNull()).isTrue();
      double seconds = suspended.get("compute_seconds").asDouble();
      assertThat(seconds).isPositive();
      assertThat(api(gateway, "GET", "/v1/computes", null).get("computes").get(0).get("compute_seconds").asDouble())
          .isEqualTo(seconds);
      JsonNode usage = api(gateway, "GET", "/v1/usage", null);
      assertThat(usage.get("compute_seconds_by_branch").get("main").asDouble()).isEqualTo(seconds);
      double active = usage.get("active_seconds_by_branch").get("main").asDouble();
      assertThat(active).isPositive().isLessThan(seconds);
      assertThat(api(gateway, "GET", "/v1/usage", null).get("active_seconds_by_branch").get("main").asDouble())
          .isEqualTo(active);

      // The next connection wakes it, same id, every commit there.
      try (Connection c = connect(gateway, "main"); Statement s = c.createStatement()) {
        assertThat(Fixture.rows(s.executeQuery("SELECT v FROM kv"))).containsExactly("one");
        assertThat(Fixture.rows(s.executeQuery("SELECT id, state FROM folio.compute_nodes")))
            .containsExactly(id + "|active");
        s.execute("INSERT INTO kv VALUES (2, 'two')");
      }
      assertThat(metrics(gateway)).contains("folio_gateway_compute_start_seconds_count 2\n")
          .contains("folio_compute_seconds_total{branch=\"main\",compute=\"" + id + "\",role=\"primary\"}");
    }
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void managementApiCancelAndAFencedComputeReplaced(KafkaEndpoint kafka, S3Endpoint s3) throws Exception {
    try (Fixture f = Fixture.start(kafka, s3); Gateway gateway = start(f, Duration.ofMinutes(5), true)) {
      HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(uri(gateway, "/v1/computes")).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(JSON.readTree(anonymous.body()).get("code").asText()).isEqualTo("28000");
      assertThat(api(gateway, "POST", "/v1/computes", "{\"branch\": \"nope\"}").get("code").asText())
          .isEqualTo("3D000");

      JsonNode started = api(gateway, "POST", "/v1/computes", "{\"branch\": \"main\"}");
      String id = started.get("id").asText();
      assertThat(started.get("state").asText()).isEqualTo("idle");
      try (Connection c = connect(gateway, "main"); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE kv (k int PRIMARY KEY, v text)");
        s.execute("INSERT INTO kv VALUES (1, 'one')");
      }

      // A CancelRequest sent to the gateway reaches the compute of the session it names.
      try (Connection holder = connect(gateway, "main"); Connection waiter = connect(gateway, "main");
          Statement h = holder.createStatement(); Statement w = waiter.createStatement()) {
        holder.setAutoCommit(false);
        h.executeUpdate("UPDATE kv SET v = 'held' WHERE k = 1");
        CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(() -> {
          try {
            return w.executeUpdate("UPDATE kv SET v = 'waited' WHERE k = 1");
          } catch (SQLException e) {
            throw new CompletionException(e);
          }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> metrics(gateway).contains("folio_gateway_sessions 2.0"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
          w.cancel();
          assertThat(blocked).isCompletedExceptionally();
        });
        assertThat(blocked.handle((n, e) -> ((SQLException) e.getCause()).getSQLState()).join()).isEqualTo("57014");
        holder.rollback();
      }

      // Another primary on the timeline fences the gateway's compute: the next session gets a new one.
      try (ComputeNode intruder = f.compute(1 << 20)) {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + intruder.port() + "/main",
            "app", ""); Statement s = c.createStatement()) {
          s.execute("INSERT INTO kv VALUES (2, 'from the intruder')");
        }
      }
      try (Connection c = connect(gateway, "main"); Statement s = c.createStatement()) {
        assertThatThrownBy(() -> s.execute("INSERT INTO kv VALUES (3, 'lost')"))
            .isInstanceOfSatisfying(PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("57P01"));
      }
      try (Connection c = connect(gateway, "main"); Statement s = c.createStatement()) {
        s.execute("INSERT INTO kv VALUES (3, 'after')");
        assertThat(Fixture.rows(s.executeQuery("SELECT k, v FROM kv ORDER BY k")))
            .containsExactly("1|one", "2|from the intruder", "3|after");
      }
      assertThat(api(gateway, "GET", "/v1/computes", null).get("computes").get(0).get("id").asText()).isEqualTo(id);

      assertThat(api(gateway, "POST", "/v1/computes/" + id + "/suspend", null).get("state").asText())
          .isEqualTo("suspended");
      assertThat(api(gateway, "POST", "/v1/computes/" + id + "/stop", null).get("id").asText()).isEqualTo(id);
      assertThat(api(gateway, "GET", "/v1/computes", null).get("computes")).isEmpty();
      assertThat(api(gateway, "POST", "/v1/computes/" + id + "/stop", null).get("code").asText()).isEqualTo("42704");
      assertThat(metrics(gateway)).doesNotContain("compute=\"" + id + "\"");
    }
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void computesInProcessesOfTheirOwn(KafkaEndpoint kafka, S3Endpoint s3) throws Exception {
    AtomicReference<Gateway> started = new AtomicReference<>();
    try (Fixture f = Fixture.start(kafka, s3);
        Gateway gateway = Gateway.start(new Gateway.Config("127.0.0.1", 0, null, 0, ADMIN, Duration.ofMinutes(5)),
            ManagedGateway.mainOnly(f), (spec, computes) -> ComputeProcess.launcher(ManagedGateway.compute(f),
                "http://127.0.0.1:" + started.get().httpPort(), ADMIN).launch(spec, computes))) {
      started.set(gateway);
      String id;
      try (Connection c = connect(gateway, "main"); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE kv (k int PRIMARY KEY, v text)");
        s.execute("INSERT INTO kv VALUES (1, 'one')");
        List<String> rows = Fixture.rows(s.executeQuery("SELECT id, state, sessions FROM folio.compute_nodes"));
        assertThat(rows).hasSize(1);
        id = rows.get(0).split("\\|")[0];
        assertThat(rows.get(0)).endsWith("|active|1");
        JsonNode listed = api(gateway, "GET", "/v1/computes", null).get("computes").get(0);
        assertThat(listed.get("buffer_cache_bytes").asLong()).isPositive();
        assertThat(listed.get("current_lsn").asText()).isNotEqualTo("0/0");
      }
      assertThat(api(gateway, "POST", "/v1/computes/" + id + "/suspend", null).get("state").asText())
          .isEqualTo("suspended");
      try (Connection c = connect(gateway, "main"); Statement s = c.createStatement()) {
        assertThat(Fixture.rows(s.executeQuery("SELECT v FROM kv"))).containsExactly("one");
        assertThat(Fixture.rows(s.executeQuery("SELECT id FROM folio.compute_nodes"))).containsExactly(id);
      }

      // SIGKILL the compute's process with commits acknowledged and a transaction open: the next
      // session gets a new process under the same id, with every acknowledged commit and nothing else.
      try (Connection c = connect(gateway, "main"); Statement s = c.createStatement();
          Connection open = connect(gateway, "main"); Statement o = open.createStatement()) {
        for (int k = 2; k <= 40; k++) {
          s.execute("INSERT INTO kv VALUES (" + k + ", 'acknowledged')");
        }
        open.setAutoCommit(false);
        o.execute("INSERT INTO kv VALUES (999, 'never committed')");
        // The JVMs this one started: the compute's (a long class path hides its main class from /proc).
        List<ProcessHandle> computes = ProcessHandle.current().children()
            .filter(p -> p.info().command().orElse("").endsWith("/java")).toList();
        assertThat(computes).hasSize(1);
        computes.get(0).destroyForcibly();
        computes.get(0).onExit().get(30, TimeUnit.SECONDS);
      } catch (SQLException closedWithItsCompute) {
        // The sessions of the killed compute end with it.
      }
      try (Connection c = connect(gateway, "main"); Statement s = c.createStatement()) {
        assertThat(Fixture.rows(s.executeQuery("SELECT count(*), max(k) FROM kv"))).containsExactly("40|40");
        assertThat(Fixture.rows(s.executeQuery("SELECT id, state FROM folio.compute_nodes")))
            .containsExactly(id + "|active");
      }
    }
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void tlsEndsAtTheGatewayAndTheComputeAuthenticates(KafkaEndpoint kafka, S3Endpoint s3, @TempDir Path dir)
      throws Exception {
    ComputeNode.Config scram;
    try (Fixture f = Fixture.start(kafka, s3)) {
      ComputeNode.Config trusting = ManagedGateway.compute(f);
      scram = new ComputeNode.Config(trusting.wal(), trusting.pageServiceHost(), trusting.pageServicePort(),
          trusting.tenant(), trusting.timeline(), trusting.pageServiceToken(), trusting.bufferBytes(),
          new PgServer.Config("127.0.0.1", 0, false, Map.of("alice", "s3cret!")), 0);
      try (Gateway gateway = Gateway.start(new Gateway.Config("127.0.0.1", 0,
          new PgServer.Tls(Fixture.keyStore(dir), "changeit"), 0, ADMIN, Duration.ofMinutes(5)),
          ManagedGateway.mainOnly(f), (spec, computes) -> ComputeNode.start(scram, spec, computes))) {
        Properties props = new Properties();
        props.setProperty("user", "alice");
        props.setProperty("password", "s3cret!");
        props.setProperty("sslmode", "require");
        String url = "jdbc:postgresql://127.0.0.1:" + gateway.port() + "/main";
        try (Connection c = DriverManager.getConnection(url, props); Statement s = c.createStatement()) {
          s.execute("CREATE TABLE secrets (id int PRIMARY KEY)");
          assertThat(Fixture.rows(s.executeQuery("SELECT count(*) FROM secrets"))).containsExactly("0");
        }
        props.setProperty("password", "guess");
        assertThatThrownBy(() -> DriverManager.getConnection(url, props))
            .isInstanceOfSatisfying(PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
      }
    }
  }

  /**
   * A gateway over the fixture's timeline as branch {@code main}. {@code relayed}: its computes say
   * they run in another process, so that the gateway relays their sessions over TCP instead of
   * handing the connection over.
   */
  private static Gateway start(Fixture f, Duration suspendAfter, boolean relayed) throws Exception {
    ComputeNode.Config compute = ManagedGateway.compute(f);
    return Gateway.start(new Gateway.Config("127.0.0.1", 0, null, 0, ADMIN, suspendAfter), ManagedGateway.mainOnly(f),
        (spec, computes) -> {
          ComputeNode node = ComputeNode.start(compute, spec, computes);
          return relayed ? new Relayed(node) : node;
        });
  }



  /** A compute in this JVM that the gateway must treat as one in another process. */
  private record Relayed(ComputeNode node) implements RunningCompute {
    @Override
    public String host() {
      return node.host();
    }

    @Override
    public int port() {
      return node.port();
    }

    @Override
    public String problem() {
      return node.problem();
    }

    @Override
    public long lsn() {
      return node.lsn();
    }

    @Override
    public long bufferCacheBytes() {
      return node.bufferCacheBytes();
    }

    @Override
    public double hitRatio() {
      return node.hitRatio();
    }

    @Override
    public void close() {
      node.close();
    }
  }

  private static Connection connect(Gateway gateway, String branch) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + gateway.port() + "/" + branch, "app", "");
  }

  private String state(Gateway gateway, String id) throws Exception {
    for (JsonNode c : api(gateway, "GET", "/v1/computes", null).get("computes")) {
      if (c.get("id").asText().equals(id)) {
        return c.get("state").asText();
      }
    }
    return "gone";
  }


  private String metrics(Gateway gateway) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(gateway, "/metrics")).GET().build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

}
