package dev.folio.flink.submit;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.PackagedProgram;
import org.apache.flink.client.program.PackagedProgramUtils;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.jobgraph.JobGraph;

/**
 * Submits a job jar to a Flink cluster through its REST API, as {@code flink run} does: the jar's
 * main method builds the job graph here, and the graph and the jar go to the JobManager. Used by
 * {@code folio flink submit}.
 */
public final class JobSubmitter implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  private final Configuration configuration;
  private final RestClusterClient<StandaloneClusterId> client;

  /** A client of the JobManager's REST endpoint at {@code host:port}. */
  public JobSubmitter(String jobManager) throws Exception {
    int colon = jobManager.lastIndexOf(':');
    if (colon < 1 || colon == jobManager.length() - 1) {
      throw new IllegalArgumentException("the JobManager is HOST:PORT (its REST port), not \"" + jobManager + "\"");
    }
    String host = jobManager.substring(0, colon);
    int port = Integer.parseInt(jobManager.substring(colon + 1));
    reachable(host, port);
    configuration = new Configuration();
    configuration.set(RestOptions.ADDRESS, host);
    configuration.set(RestOptions.PORT, port);
    configuration.set(RestOptions.RETRY_MAX_ATTEMPTS, 3);
    client = new RestClusterClient<>(configuration, StandaloneClusterId.getInstance());
  }

  /** Fails at once, and clearly, when nothing answers at the REST address. */
  private static void reachable(String host, int port) {
    URI config = URI.create("http://" + host + ":" + port + "/config");
    try {
      HttpResponse<Void> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
          .send(HttpRequest.newBuilder(config).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.discarding());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(config + " answered " + response.statusCode() + ": is it a Flink JobManager?");
      }
    } catch (IOException e) {
      throw new IllegalStateException("no Flink JobManager answers at " + config + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reaching " + config, e);
    }
  }

  /** Builds the job of {@code jar} (its manifest's main class) with these program arguments and submits it. */
  public JobID submit(Path jar, int parallelism, String... arguments) throws Exception {
    return submit(jar, null, parallelism, arguments);
  }

  /** Builds the job whose main class is {@code entryClass} (null: the manifest's) in {@code jar} and submits it. */
  public JobID submit(Path jar, String entryClass, int parallelism, String... arguments) throws Exception {
    // The job is built here, in the jar's child-first class loader. Flink's own classes, the Kafka
    // connector's among them, come from this process's loader; the Kafka client classes the
    // connector uses must come from the same one, or the JVM refuses to link the two copies (a
    // loader constraint violation as soon as this process uses the Kafka client itself).
    Configuration building = new Configuration(configuration);
    building.set(CoreOptions.ALWAYS_PARENT_FIRST_LOADER_PATTERNS_ADDITIONAL, List.of("org.apache.kafka."));
    PackagedProgram program = PackagedProgram.newBuilder()
        .setJarFile(jar.toFile())
        .setEntryPointClassName(entryClass)
        .setArguments(arguments)
        .setConfiguration(building)
        .build();
    try {
      JobGraph graph = PackagedProgramUtils.createJobGraph(program, building, parallelism, false);
      return client.submitJob(graph).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } finally {
      program.close();
    }
  }

  public JobStatus status(JobID job) throws Exception {
    return client.getJobStatus(job).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The job's accumulators as the JobManager last heard them (while it runs, and after). */
  public java.util.Map<String, Object> accumulators(JobID job) {
    try {
      return client.getAccumulators(job).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the accumulators of job " + job + ": " + e, e);
    }
  }

  public void cancel(JobID job) throws Exception {
    client.cancel(job).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The shaded job jar a build of this repository leaves, found from the working directory. */
  public static Path defaultJobJar(Path repositoryRoot) {
    File[] jars = repositoryRoot.resolve("flink-jobs/target").toFile()
        .listFiles((dir, name) -> name.startsWith("folio-flink-jobs-") && name.endsWith("-job.jar"));
    if (jars == null || jars.length == 0) {
      throw new IllegalStateException("no job jar under " + repositoryRoot.resolve("flink-jobs/target")
          + ": build it with mvn -pl flink-jobs -am package");
    }
    return jars[0].toPath();
  }

  @Override
  public void close() {
    client.close();
  }
}
