package dev.folio.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Health and metrics over HTTP, for load balancers and Prometheus: {@code GET /health} (200 when
 * healthy, 503 with the reason otherwise) and {@code GET /metrics} (Prometheus text format), and
 * whatever a service adds with {@link #route}. The JDK's own HTTP server: a few small JSON and text
 * pages need nothing more.
 */
public final class OpsServer implements AutoCloseable {
  /** The service's health: null when healthy, else what is wrong. */
  public interface Health extends Supplier<String> {}

  private final HttpServer server;

  public OpsServer(String host, int port, PrometheusMeterRegistry registry, Health health) throws IOException {
    server = HttpServer.create(new InetSocketAddress(host, port), 0);
    server.createContext("/metrics", ex -> reply(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
        registry.scrape()));
    server.createContext("/health", ex -> {
      String problem = health.get();
      reply(ex, problem == null ? 200 : 503, "application/json",
          problem == null ? "{\"status\":\"ok\"}" : "{\"status\":\"unhealthy\",\"reason\":\"" + problem.replace("\"", "'")
              + "\"}");
    });
    server.setExecutor(Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "folio-ops-http");
      t.setDaemon(true);
      return t;
    }));
    server.start();
  }

  /** Serves more paths beside health and metrics (a management API). */
  public void route(String path, HttpHandler handler) {
    server.createContext(path, handler);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Sends a whole response and ends the exchange. */
  public static void reply(HttpExchange ex, int code, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
