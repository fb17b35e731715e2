package dev.folio.compute.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.folio.compute.fleet.ComputeInfo;
import dev.folio.compute.fleet.PointInTime;
import dev.folio.compute.fleet.Role;
import dev.folio.compute.pgwire.PgException;
import dev.folio.compute.pgwire.SqlState;
import dev.folio.format.Lsn;
import dev.folio.ops.OpsServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The gateway's management API: HTTP and JSON, every request with {@code Authorization: Bearer
 * <admin token>}. The CLI's {@code compute} and {@code usage} commands are its clients.
 *
 * <pre>
 * GET  /v1/computes                   {"computes": [compute…]}
 * POST /v1/computes                   {"branch": "main", "role": "primary|replica|static",
 *                                      "at_lsn": "0/16B3748" or "at_time": "2026-11-29T10:00:00Z"}
 *                                      → the compute, once it serves (the primary is woken; a replica or a
 *                                      static compute is a new one)
 * POST /v1/computes/{id}/suspend      → the compute, suspended
 * POST /v1/computes/{id}/stop         → the compute, stopped and gone from the registry
 * GET  /v1/branches                   {"branches": [{"name", "timeline", "parent", "branch_lsn", "retained_from_lsn", "created_at",
 *                                      "layer_bytes", "archived_wal_bytes"}…], "write_forwarding": "host:port"}
 * POST /v1/branches                   {"name": "dev", "parent": "main", "lsn": "0/16B3748" or "time": "…"}
 * POST /v1/branches/{name}/delete     {"cascade": false}  → {"deleted": [name…]} (its computes stop)
 * POST /v1/branches/{name}/restore    {"time": "2026-11-29T10:00:00Z"}  → {"branch", "backup": branch}
 * GET  /v1/lsn-at?branch=B&time=T     {"branch", "time", "lsn"}
 * POST /v1/replays                    {"branch": "main", "to_lsn": "0/16B3748" or "to_time": "…", "into": "rebuilt",
 *                                      "verify": false, "flink": "host:port" or null}  → the replay, planning
 * GET  /v1/replays                    {"replays": [replay…]}
 * GET  /v1/replays/{id}               {"id", "branch", "into", "target_lsn", "state", "events_read", "events_total",
 *                                      "pages", "records_refused", "verified", "differences": […],
 *                                      "error_code", "error", "started_at", "finished_at"}
 * GET  /v1/usage                      {"computes": […], "compute_seconds_by_branch": {name: seconds},
 *                                      "active_seconds_by_branch": {name: seconds},
 *                                      "storage": [{"branch", "timeline", "layer_bytes", "archived_wal_bytes"}…]}
 * </pre>
 *
 * An error is {@code {"code": SQLSTATE, "message": …, "hint": …}} with an HTTP status to match
 * (400 bad request, 401 no or wrong token, 404 no such branch or compute, 405, 409 the branch
 * exists or has children, 500 storage or a compute failed, 503).
 */
final class ManagementApi {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ManagementApi.class);
  private static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
  /** A request the API does not serve: feature_not_supported, HTTP 405. */
  private static final String METHOD_NOT_ALLOWED = SqlState.FEATURE_NOT_SUPPORTED;

  private final ComputeFleet fleet;
  private final BranchCatalog branches;
  private final byte[] token;

  ManagementApi(ComputeFleet fleet, BranchCatalog branches, String adminToken) {
    if (adminToken == null || adminToken.length() < 16) {
      throw new IllegalArgumentException("the admin token must have at least 16 characters");
    }
    this.fleet = fleet;
    this.branches = branches;
    this.token = adminToken.getBytes(StandardCharsets.UTF_8);
  }

  void serveOn(OpsServer server) {
    server.route("/v1/", this::handle);
  }

  private void handle(HttpExchange ex) throws IOException {
    int status = 200;
    JsonNode body;
    try {
      authorize(ex);
      body = dispatch(ex.getRequestMethod(), ex.getRequestURI().getPath(), ex);
    } catch (PgException e) {
      status = status(e.sqlState());
      ObjectNode error = JSON.createObjectNode().put("code", e.sqlState()).put("message", e.getMessage());
      if (e.hint() != null) {
        error.put("hint", e.hint());
      }
      body = error;
    } catch (RuntimeException e) {
      // Storage or a compute failed under the request: the caller gets why, the log the whole story.
      LOG.error("Management request {} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
      status = 500;
      body = JSON.createObjectNode().put("code", SqlState.INTERNAL_ERROR).put("message", String.valueOf(e.getMessage()));
    }
    OpsServer.reply(ex, status, "application/json", JSON.writeValueAsString(body) + "\n");
  }

  private JsonNode dispatch(String method, String path, HttpExchange ex) throws IOException {
    String[] parts = path.replaceAll("/+$", "").split("/");
    if (parts.length < 3) {
      throw new PgException(METHOD_NOT_ALLOWED, "no such request: " + method + " " + path);
    }
    // "", "v1", resource, [id, action]
    if (parts.length == 3 && parts[2].equals("computes")) {
      if (method.equals("GET")) {
        ArrayNode list = JSON.createArrayNode();
        fleet.computes().forEach(c -> list.add(json(c)));
        return JSON.createObjectNode().set("computes", list);
      }
      if (method.equals("POST")) {
        JsonNode request = request(ex);
        String branch = request.path("branch").asText("");
        if (branch.isEmpty()) {
          throw new PgException(SqlState.INVALID_PARAMETER_VALUE, "give the branch: {\"branch\": \"main\"}");
        }
        Role role;
        long atLsn;
        Instant atTime;
        try {
          role = Role.of(request.path("role").asText("primary"));
          atLsn = request.hasNonNull("at_lsn") ? Lsn.parse(request.get("at_lsn").asText()).value() : 0;
          atTime = request.hasNonNull("at_time") ? PointInTime.parse(request.get("at_time").asText()) : null;
        } catch (IllegalArgumentException e) {
          throw new PgException(SqlState.INVALID_PARAMETER_VALUE, e.getMessage());
        }
        return json(fleet.start(branch, role, atLsn, atTime));
      }
    } else if (parts.length == 5 && parts[2].equals("computes") && method.equals("POST")) {
      switch (parts[4]) {
        case "suspend" -> {
          return json(fleet.suspend(parts[3]));
        }
        case "stop" -> {
          return json(fleet.stop(parts[3]));
        }
        default -> throw new PgException(SqlState.UNDEFINED_OBJECT, "no such action: " + parts[4]
            + " (suspend or stop)");
      }
    } else if (parts.length == 3 && parts[2].equals("branches") && method.equals("GET")) {
      ArrayNode list = JSON.createArrayNode();
      if (branches instanceof BranchManager manager) {
        manager.list().forEach(b -> list.add(json(b)));
      } else {
        new java.util.TreeMap<>(branches.branches()).forEach((name, timeline) ->
            list.add(JSON.createObjectNode().put("name", name).put("timeline", timeline.toString())));
      }
      ObjectNode out = JSON.createObjectNode();
      out.set("branches", list);
      return out.put("write_forwarding", fleet.forwardingAddress());
    } else if (parts[2].equals("branches") && method.equals("POST")) {
      return branchChange(parts, request(ex));
    } else if (parts.length == 3 && parts[2].equals("lsn-at") && method.equals("GET")) {
      Map<String, String> query = query(ex.getRequestURI().getRawQuery());
      String branch = query.getOrDefault("branch", "");
      Instant time = instantOf(query.get("time"));
      long lsn = manager().lsnAt(branch, time);
      return JSON.createObjectNode().put("branch", branch).put("time", time.toString()).put("lsn", Lsn.format(lsn));
    } else if (parts[2].equals("replays")) {
      return replays(method, parts, ex);
    } else if (parts.length == 3 && parts[2].equals("usage") && method.equals("GET")) {
      return JSON.valueToTree(fleet.usage());
    }
    throw new PgException(METHOD_NOT_ALLOWED, "no such request: " + method + " " + path);
  }

  /** POST /v1/branches (create), /v1/branches/{name}/delete, /v1/branches/{name}/restore. */
  private JsonNode branchChange(String[] parts, JsonNode request) {
    BranchManager manager = manager();
    if (parts.length == 3) {
      String lsn = request.path("lsn").asText(null);
      BranchManager.Branch b;
      try {
        b = manager.create(request.path("name").asText(""), request.path("parent").asText("main"),
            lsn == null ? null : Lsn.parse(lsn).value(), request.hasNonNull("time") ? instantOf(
                request.get("time").asText()) : null);
      } catch (IllegalArgumentException e) {
        throw new PgException(SqlState.INVALID_PARAMETER_VALUE, e.getMessage());
      }
      return json(b);
    }
    if (parts.length == 5 && parts[4].equals("delete")) {
      List<String> deleted = manager.delete(parts[3], request.path("cascade").asBoolean(false));
      deleted.forEach(fleet::stopBranch);
      ArrayNode names = JSON.createArrayNode();
      deleted.forEach(names::add);
      return JSON.createObjectNode().set("deleted", names);
    }
    if (parts.length == 5 && parts[4].equals("restore")) {
      BranchManager.Branch backup = manager.restore(parts[3], instantOf(request.path("time").asText(null)));
      fleet.stopBranch(parts[3]);
      return JSON.createObjectNode().put("branch", parts[3]).set("backup", json(backup));
    }
    throw new PgException(METHOD_NOT_ALLOWED, "no such request: POST " + String.join("/", parts));
  }

  /** POST /v1/replays, GET /v1/replays, GET /v1/replays/{id}. */
  private JsonNode replays(String method, String[] parts, HttpExchange ex) throws IOException {
    BranchManager manager = manager();
    if (parts.length == 3 && method.equals("POST")) {
      JsonNode request = request(ex);
      Long lsn;
      try {
        lsn = request.hasNonNull("to_lsn") ? Lsn.parse(request.get("to_lsn").asText()).value() : null;
      } catch (IllegalArgumentException e) {
        throw new PgException(SqlState.INVALID_PARAMETER_VALUE, e.getMessage());
      }
      Instant time = request.hasNonNull("to_time") ? instantOf(request.get("to_time").asText()) : null;
      String into = request.path("into").asText("");
      if (into.isEmpty()) {
        throw new PgException(SqlState.INVALID_PARAMETER_VALUE, "give the new branch: {\"into\": \"rebuilt\"}");
      }
      return json(manager.replay(request.path("branch").asText("main"), lsn, time, into,
          request.path("verify").asBoolean(false), request.hasNonNull("flink") ? request.get("flink").asText() : null));
    }
    if (parts.length == 3 && method.equals("GET")) {
      ArrayNode list = JSON.createArrayNode();
      manager.replays().forEach(r -> list.add(json(r)));
      return JSON.createObjectNode().set("replays", list);
    }
    if (parts.length == 4 && method.equals("GET")) {
      return json(manager.replay(parts[3]));
    }
    throw new PgException(METHOD_NOT_ALLOWED, "no such request: " + method + " " + String.join("/", parts));
  }

  static ObjectNode json(BranchManager.Replay r) {
    ObjectNode n = JSON.createObjectNode().put("id", r.id()).put("branch", r.branch()).put("into", r.into())
        .put("target_lsn", Lsn.format(r.targetLsn())).put("state", r.state()).put("events_read", r.eventsRead())
        .put("events_total", r.eventsTotal()).put("pages", r.pages()).put("records_refused", r.recordsRefused())
        .put("verified", r.verified()).put("error_code", r.errorCode()).put("error", r.error())
        .put("started_at", text(r.startedAt())).put("finished_at", text(r.finishedAt()));
    ArrayNode differences = n.putArray("differences");
    r.differences().forEach(differences::add);
    return n;
  }

  private BranchManager manager() {
    if (branches instanceof BranchManager manager) {
      return manager;
    }
    throw new PgException(METHOD_NOT_ALLOWED, "this gateway names branches but does not manage them");
  }

  private static Instant instantOf(String text) {
    if (text == null || text.isEmpty()) {
      throw new PgException(SqlState.INVALID_PARAMETER_VALUE, "give the time, e.g. 2026-11-29T10:00:00Z");
    }
    try {
      return PointInTime.parse(text);
    } catch (IllegalArgumentException e) {
      throw new PgException(SqlState.INVALID_PARAMETER_VALUE, e.getMessage());
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new java.util.HashMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          out.put(java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    return out;
  }

  static ObjectNode json(BranchManager.Branch b) {
    return JSON.createObjectNode().put("name", b.name()).put("timeline", b.timeline().toString())
        .put("parent", b.parent()).put("branch_lsn", Lsn.format(b.branchLsn()))
        .put("retained_from_lsn", Lsn.format(b.retainedFromLsn()))
        .put("created_at", text(b.createdAt())).put("layer_bytes", b.storage().layers())
        .put("archived_wal_bytes", b.storage().archivedWal());
  }

  private void authorize(HttpExchange ex) {
    String header = ex.getRequestHeaders().getFirst("Authorization");
    byte[] given = header != null && header.startsWith("Bearer ")
        ? header.substring(7).strip().getBytes(StandardCharsets.UTF_8) : new byte[0];
    if (!MessageDigest.isEqual(given, token)) {
      throw new PgException(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, "a valid admin token is required "
          + "(Authorization: Bearer …)");
    }
  }

  private static JsonNode request(HttpExchange ex) throws IOException {
    byte[] bytes = ex.getRequestBody().readNBytes(64 << 10);
    if (bytes.length == 0) {
      return JSON.createObjectNode();
    }
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new PgException(SqlState.INVALID_PARAMETER_VALUE, "the request body is not JSON: " + e.getMessage());
    }
  }

  private static int status(String sqlState) {
    return switch (sqlState) {
      case SqlState.INVALID_AUTHORIZATION_SPECIFICATION -> 401;
      case SqlState.INVALID_CATALOG_NAME, SqlState.UNDEFINED_OBJECT -> 404;
      case METHOD_NOT_ALLOWED -> 405;
      case SqlState.CANNOT_CONNECT_NOW -> 503;
      case "42P04", "2BP01" -> 409;
      default -> 400;
    };
  }

  /** A compute as the API shows it: names as in {@code folio.compute_nodes}. */
  static ObjectNode json(ComputeInfo c) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", c.id()).put("branch", c.branch()).put("timeline", c.timeline()).put("role", c.role())
        .put("state", c.state()).put("started_at", text(c.startedAt())).put("last_active", text(c.lastActive()))
        .put("current_lsn", Lsn.format(c.currentLsn())).put("replica_lag", c.replicaLag())
        .put("buffer_cache_bytes", c.bufferCacheBytes()).put("hit_ratio", c.hitRatio()).put("address", c.address())
        .put("sessions", c.sessions()).put("compute_seconds", c.computeSeconds());
    return n;
  }

  /** A compute as {@link #json} wrote it. */
  static ComputeInfo computeInfo(JsonNode c) {
    return new ComputeInfo(c.path("id").asText(), c.path("branch").asText(), c.path("timeline").asText(),
        c.path("role").asText(), c.path("state").asText(), instant(c.path("started_at")),
        instant(c.path("last_active")), Lsn.parse(c.path("current_lsn").asText("0/0")).value(),
        c.path("replica_lag").asLong(), c.path("buffer_cache_bytes").asLong(), c.path("hit_ratio").asDouble(),
        c.path("address").isTextual() ? c.path("address").asText() : null, c.path("sessions").asInt(),
        c.path("compute_seconds").asDouble());
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException("not JSON: " + e.getMessage(), e);
    }
  }

  private static Instant instant(JsonNode t) {
    return t.isTextual() ? Instant.parse(t.asText()) : null;
  }

  private static String text(Instant t) {
    return t == null ? null : t.toString();
  }
}
