package dev.folio.flinkconf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;
import org.awaitility.Awaitility;

/**
 * A Flink session cluster as an operator runs one: a JobManager and a TaskManager, each in its own
 * JVM, started from a lib/ and plugins/ folder with a configuration folder, as Flink's start
 * scripts would start them (the memory flags and dynamic properties the scripts compute are
 * computed here with the same Flink classes). Everything is bound to localhost on free ports, and
 * temporary files go under the work folder. Closing stops both JVMs.
 */
final class StandaloneFlink implements AutoCloseable {
  private final List<Process> processes = new ArrayList<>();
  private final Path work;
  private final int restPort;

  private StandaloneFlink(Path work, int restPort) {
    this.work = work;
    this.restPort = restPort;
  }

  /**
   * Starts a cluster.
   *
   * @param home a folder with lib/ and plugins/
   * @param conf the configuration folder (config.yaml, log4j.properties)
   * @param properties dynamic properties on top of config.yaml, as -D would pass them
   * @param environment variables for both JVMs (credentials)
   */
  static StandaloneFlink start(Path home, Path conf, Path work, Map<String, String> properties,
      Map<String, String> environment) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return startOnce(home, conf, work, properties, environment);
      } catch (IllegalStateException e) {
        // The ports are chosen free, then bound by the JobManager a moment later: another process
        // may take one in between. Then the cluster is started again on other ports.
        Path log = work.resolve("jobmanager.log");
        if (attempt == 3 || !Files.exists(log) || !Files.readString(log).contains("BindException")) {
          throw e;
        }
      }
    }
  }

  private static StandaloneFlink startOnce(Path home, Path conf, Path work, Map<String, String> properties,
      Map<String, String> environment) throws IOException {
    Files.createDirectories(work.resolve("tmp"));
    int restPort = freePort();
    Map<String, String> dynamic = new LinkedHashMap<>(properties);
    dynamic.put("rest.port", Integer.toString(restPort));
    dynamic.put("jobmanager.rpc.port", Integer.toString(freePort()));
    dynamic.put("taskmanager.rpc.port", "0");
    dynamic.put("blob.server.port", "0");
    dynamic.put("io.tmp.dirs", work.resolve("tmp").toString());
    dynamic.put("web.tmpdir", work.resolve("tmp").toString());
    dynamic.put("blob.storage.directory", work.resolve("tmp").toString());
    Configuration dynamicConf = new Configuration();
    dynamic.forEach(dynamicConf::setString);
    Configuration effective = GlobalConfiguration.loadConfiguration(conf.toString(), dynamicConf);

    StandaloneFlink cluster = new StandaloneFlink(work, restPort);
    try {
      JobManagerProcessSpec jm = JobManagerProcessUtils.processSpecFromConfig(effective);
      cluster.launch("jobmanager", home, conf, environment,
          JobManagerProcessUtils.generateJvmParametersStr(jm, effective),
          "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", dynamic, "");
      TaskExecutorProcessSpec tm = TaskExecutorProcessUtils.processSpecFromConfig(effective);
      cluster.launch("taskmanager", home, conf, environment, ProcessMemoryUtils.generateJvmParametersStr(tm),
          "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", dynamic,
          TaskExecutorProcessUtils.generateDynamicConfigsStr(tm));
      cluster.awaitTaskManager();
      return cluster;
    } catch (RuntimeException | IOException e) {
      cluster.close();
      throw e;
    }
  }

  private void launch(String role, Path home, Path conf, Map<String, String> environment, String memoryFlags,
      String mainClass, Map<String, String> dynamic, String moreDynamic) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(split(memoryFlags));
    command.addAll(split(GlobalConfiguration.loadConfiguration(conf.toString()).getString("env.java.opts.all", "")));
    command.add("-Djava.io.tmpdir=" + work.resolve("tmp"));
    command.add("-Dlog.file=" + work.resolve(role + ".log"));
    command.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri());
    command.add("-cp");
    command.add(home.resolve("lib") + "/*");
    command.add(mainClass);
    command.add("--configDir");
    command.add(conf.toString());
    dynamic.forEach((k, v) -> {
      command.add("-D");
      command.add(k + "=" + v);
    });
    command.addAll(split(moreDynamic));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(work.resolve(role + ".out").toFile());
    builder.environment().putAll(environment);
    builder.environment().put("FLINK_PLUGINS_DIR", home.resolve("plugins").toString());
    builder.environment().put("FLINK_CONF_DIR", conf.toString());
    processes.add(builder.start());
  }

  private static List<String> split(String flags) {
    List<String> out = new ArrayList<>();
    for (String f : flags.trim().split("\\s+")) {
      if (!f.isEmpty()) {
        out.add(f);
      }
    }
    return out;
  }

  private void awaitTaskManager() {
    HttpClient http = HttpClient.newHttpClient();
    Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
      for (Process p : processes) {
        if (!p.isAlive()) {
          throw new IllegalStateException("a Flink JVM exited with " + p.exitValue() + "; see " + work);
        }
      }
      try {
        String body = http.send(HttpRequest.newBuilder(URI.create(restUrl() + "/overview")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        return body.contains("\"taskmanagers\":1");
      } catch (IOException e) {
        return false;
      }
    });
  }

  String restUrl() {
    return "http://localhost:" + restPort;
  }

  /** HOST:PORT of the REST endpoint, as {@code folio flink submit --jobmanager} takes it. */
  String jobManager() {
    return "localhost:" + restPort;
  }

  String get(String path) throws IOException, InterruptedException {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(restUrl() + path)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  List<Process> processes() {
    return processes;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Stops the JVMs as the stop scripts do (SIGTERM), and kills what does not stop. */
  @Override
  public void close() {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
  }

  static void deleteQuietly(Path dir) {
    try (var files = Files.walk(dir)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
