package dev.folio.cli.flink;

import dev.folio.flink.submit.JobSubmitter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code folio flink submit}: the materializer's job jar to a running Flink cluster. */
@Command(name = "submit", mixinStandardHelpOptions = true,
    description = {"Submits the WAL materializer (the shaded job jar) to a Flink cluster through its REST API.",
        "Job options follow --, e.g.: folio flink submit --jobmanager localhost:8081 --",
        "  --bootstrap-servers kafka:9092 --storage s3a://bucket/ --tenant default",
        "See flink-conf/README.md for the cluster's configuration."})
final class SubmitCommand implements Callable<Integer> {
  @Option(names = "--jobmanager", required = true, paramLabel = "HOST:PORT", description = "The JobManager's REST address.")
  String jobManager;

  @Option(names = "--jar", description = "The job jar (default: flink-jobs/target/folio-flink-jobs-*-job.jar).")
  Path jar;

  @Option(names = "--parallelism", defaultValue = "2", description = "The job's parallelism (default ${DEFAULT-VALUE}).")
  int parallelism;

  @Parameters(paramLabel = "JOB-OPTION", description = "Options of the job (run the jar with --help to list them).")
  List<String> jobOptions = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    Path job = jar != null ? jar : JobSubmitter.defaultJobJar(Path.of(System.getProperty("folio.home", ".")));
    if (!Files.isRegularFile(job)) {
      throw new IllegalArgumentException("no job jar at " + job);
    }
    try (JobSubmitter submitter = new JobSubmitter(jobManager)) {
      JobID id = submitter.submit(job, parallelism, jobOptions.toArray(String[]::new));
      System.out.println("submitted job " + id + " to " + jobManager + " (" + job.getFileName() + ")");
    }
    return 0;
  }
}
