package dev.folio.compute.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.folio.compute.ComputeNode;
import dev.folio.compute.Fixture;
import dev.folio.compute.pgwire.PgServer;
import dev.folio.format.TimelineId;
import dev.folio.wal.writer.WalWriterConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/** What the gateway tests share: computes on the fixture's timeline as branch main, and the API's client. */
final class ManagedGateway {
  static final String ADMIN = "an-admin-token-for-the-tests";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private ManagedGateway() {}

  /** A trusting compute of the fixture's timeline with a 1 MiB cache and HTTP on any port. */
  static ComputeNode.Config compute(Fixture f) {
    return new ComputeNode.Config(WalWriterConfig.of(f.bootstrapServers(), f.topic()), "127.0.0.1",
        f.pageServer().grpcPort(), Fixture.TENANT, f.timeline(), f.token(), 1 << 20,
        new PgServer.Config("127.0.0.1", 0, true, Map.of()), 0);
  }

  /** The fixture's timeline as branch main; storage is not what these tests look at. */
  static BranchCatalog mainOnly(Fixture f) {
    return new BranchCatalog() {
      @Override
      public Map<String, TimelineId> branches() {
        return Map.of("main", f.timeline());
      }

      @Override
      public StorageBytes storage(TimelineId timeline) {
        return new StorageBytes(0, 0);
      }
    };
  }

  /** A call of the management API with the admin token; the JSON it answers. */
  static JsonNode api(Gateway gateway, String method, String path, String body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(uri(gateway, path)).header("Authorization", "Bearer " + ADMIN)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build();
    return JSON.readTree(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body());
  }

  static URI uri(Gateway gateway, String path) {
    return URI.create("http://127.0.0.1:" + gateway.httpPort() + path);
  }
}
