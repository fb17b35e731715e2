package dev.folio.testsupport;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private PostgreSQL cluster, the reference for SQL results and speed: {@code initdb} into a
 * temporary folder and {@code pg_ctl start} on a free port (binaries from {@code pg_config
 * --bindir}), trust authentication on 127.0.0.1 only. PostgreSQL refuses to run as root, so as
 * root it runs as the {@code postgres} user. {@link #close} stops it and deletes the folder.
 */
public final class LocalPostgres implements AutoCloseable {
  private final Path dir;
  private final Path bin;
  private final int port;
  private final boolean asPostgresUser;

  private LocalPostgres(Path dir, Path bin, int port, boolean asPostgresUser) {
    this.dir = dir;
    this.bin = bin;
    this.port = port;
    this.asPostgresUser = asPostgresUser;
  }

  /** Whether PostgreSQL's server binaries are installed here. */
  public static boolean available() {
    try {
      return Files.isExecutable(bindir().resolve("initdb"));
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  public static LocalPostgres start() throws IOException, InterruptedException {
    Path bin = bindir();
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir = Files.createTempDirectory("folio-postgres");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    LocalPostgres pg = new LocalPostgres(dir, bin, port, root);
    if (root) {
      run(List.of("chown", "-R", "postgres", dir.toString()), false);
    }
    pg.pg(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "postgres",
        "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"));
    pg.pg(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w", "-t", "60",
        "-l", dir.resolve("log").toString(), "-o",
        "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "start"));
    return pg;
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
  }

  public int port() {
    return port;
  }

  /** The folder of PostgreSQL's programs (psql, pgbench…). */
  public Path bin() {
    return bin;
  }

  private void pg(List<String> command) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if (asPostgresUser) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    run(full, true);
  }

  private static void run(List<String> command, boolean check) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + String.join(" ", command));
    }
    if (check && p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + out);
    }
  }

  /** The folder of PostgreSQL's programs as pg_config names it. */
  public static Path bindir() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("pg_config", "--bindir").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    p.waitFor(30, TimeUnit.SECONDS);
    return Path.of(out);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    try {
      pg(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop"));
    } finally {
      try (var files = Files.walk(dir)) {
        for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(f);
        }
      }
    }
  }
}
