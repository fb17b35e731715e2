package dev.folio.cli.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/** What the tests of {@code folio local} ask it: SQL through the gateway, the management API, the broker. */
final class OnLocal {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private OnLocal() {}

  static Connection connect(LocalSystem system, String branch) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + system.postgresPort() + "/" + branch,
        "folio", "");
  }

  /** A commit of {@link #events}: when, at which LSN, and how many rows there were after it. */
  record Point(Instant time, String lsn, int rows) {}

  /** Creates table {@code events} on main and inserts rows 1 to {@code n}, one commit each. */
  static List<Point> events(LocalSystem system, int n) throws Exception {
    List<Point> points = new ArrayList<>();
    try (Connection c = connect(system, "main"); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE events (id int PRIMARY KEY, note text)");
      for (int i = 1; i <= n; i++) {
        s.execute("INSERT INTO events VALUES (" + i + ", 'event " + i + "')");
        points.add(new Point(Instant.now(), primaryLsn(system), i));
        // Commit times are kept to the microsecond: the next commit comes strictly later.
        TimeUnit.MILLISECONDS.sleep(5);
      }
    }
    return points;
  }

  /** The ids in table {@code events} of a branch, in order. */
  static List<Integer> ids(LocalSystem system, String branch) throws SQLException {
    List<Integer> ids = new ArrayList<>();
    try (Connection c = connect(system, branch); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id FROM events ORDER BY id")) {
      while (rs.next()) {
        ids.add(rs.getInt(1));
      }
    }
    return ids;
  }

  /** The current LSN of main's primary, as the registry shows it. */
  static String primaryLsn(LocalSystem system) throws Exception {
    for (JsonNode c : get(system, "/v1/computes").get("computes")) {
      if (c.get("branch").asText().equals("main") && c.get("role").asText().equals("primary")) {
        return c.get("current_lsn").asText();
      }
    }
    throw new AssertionError("no primary for main");
  }

  static JsonNode get(LocalSystem system, String path) throws Exception {
    return send(system, HttpRequest.newBuilder(URI.create(system.api() + path)).GET());
  }

  static JsonNode post(LocalSystem system, String path, String body) throws Exception {
    return send(system, HttpRequest.newBuilder(URI.create(system.api() + path))
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private static JsonNode send(LocalSystem system, HttpRequest.Builder request) throws Exception {
    return JSON.readTree(HTTP.send(request.header("Authorization", "Bearer " + system.adminToken()).build(),
        HttpResponse.BodyHandlers.ofString()).body());
  }

  /** Messages on the dead-letter topic: what the materializer refused. */
  static long deadLetters(LocalSystem system) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", system.bootstrapServers()))) {
      String dlq = system.topic().deadLetterTopic();
      var partitions = admin.describeTopics(List.of(dlq)).allTopicNames().get().get(dlq).partitions();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      partitions.forEach(p -> latest.put(new TopicPartition(dlq, p.partition()), OffsetSpec.latest()));
      return admin.listOffsets(latest).all().get().values().stream()
          .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
    }
  }
}
