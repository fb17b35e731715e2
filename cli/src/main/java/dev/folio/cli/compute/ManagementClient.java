package dev.folio.cli.compute;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The CLI's side of the gateway's management API. Where it is and its admin token come from the
 * options, else {@code FOLIO_API} and {@code FOLIO_ADMIN_TOKEN}, else the files {@code folio local}
 * writes under {@code .folio/}.
 */
public final class ManagementClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--api", description = "The gateway's management API, e.g. http://127.0.0.1:55480 "
      + "(default: $FOLIO_API, else what folio local wrote in .folio/api).")
  String api;

  @Option(names = "--token", description = "The admin token (default: $FOLIO_ADMIN_TOKEN, else .folio/admin-token).")
  String token;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public JsonNode get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  public JsonNode post(String path, JsonNode body) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
  }

  public static ObjectNode object(String field, String value) {
    return JSON.createObjectNode().put(field, value);
  }

  private JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(request.header("Authorization", "Bearer " + token())
        .timeout(Duration.ofSeconds(90)).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body = JSON.readTree(response.body());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(body.path("code").asText() + ": " + body.path("message").asText()
          + (body.has("hint") ? " (" + body.get("hint").asText() + ")" : ""));
    }
    return body;
  }

  private URI uri(String path) throws IOException {
    String base = api != null ? api : System.getenv("FOLIO_API");
    if (base == null) {
      base = local("api", "--api");
    }
    return URI.create(base.replaceAll("/+$", "") + path);
  }

  private String token() throws IOException {
    if (token != null) {
      return token;
    }
    String fromEnv = System.getenv("FOLIO_ADMIN_TOKEN");
    return fromEnv != null ? fromEnv : local("admin-token", "--token");
  }

  private static String local(String file, String option) throws IOException {
    Path path = Path.of(System.getProperty("folio.home", ".")).resolve(".folio").resolve(file);
    if (!Files.exists(path)) {
      throw new IllegalArgumentException("no " + option + " given and no " + path + " (is folio local running?)");
    }
    return Files.readString(path).strip();
  }
}
