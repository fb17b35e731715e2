package dev.folio.flink.local;

import java.net.URI;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.PluginUtils;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Flink in this JVM (a MiniCluster), set up the way flink-conf sets up a real cluster: RocksDB
 * state, incremental exactly-once checkpoints on {@code s3a://}, a restart strategy. S3 is reached
 * through the s3-fs-hadoop plugin, which Flink loads from the folder named by the environment
 * variable FLINK_PLUGINS_DIR (the build copies it there for the tests and for {@code folio}).
 */
public final class LocalFlink {
  private LocalFlink() {}

  /** Where checkpoints go and how to reach the S3 endpoint. */
  public record S3(URI endpoint, String accessKey, String secretKey, String checkpointDirectory) {}

  public static StreamExecutionEnvironment environment(S3 s3, int parallelism, Duration checkpointInterval) {
    return environment(s3, parallelism, checkpointInterval, null);
  }

  /**
   * @param resumeFrom a retained checkpoint ({@code …/chk-N}) to start from, or null; checkpoints
   *     are retained when the job is cancelled, so that a restarted local system resumes
   */
  public static StreamExecutionEnvironment environment(S3 s3, int parallelism, Duration checkpointInterval,
      String resumeFrom) {
    Configuration conf = configure(s3);
    if (resumeFrom != null) {
      conf.set(StateRecoveryOptions.SAVEPOINT_PATH, resumeFrom);
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
    env.enableCheckpointing(checkpointInterval.toMillis());
    return env;
  }

  /**
   * For a bounded job (a replay): no checkpoints, and accumulators reported every second, so that
   * progress can be shown while it runs.
   */
  public static StreamExecutionEnvironment boundedEnvironment(S3 s3, int parallelism) {
    Configuration conf = configure(s3);
    conf.set(HeartbeatManagerOptions.HEARTBEAT_INTERVAL, Duration.ofSeconds(1));
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
    return StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
  }

  /**
   * Makes {@code s3a://} paths readable in this process through Flink's file systems, as a job's
   * main method needs when it plans in a client (a replay reads the timeline indexes).
   */
  public static void useS3(S3 s3) {
    configure(s3);
  }

  /** The cluster configuration, with S3 reachable through the plugin's file system. */
  private static Configuration configure(S3 s3) {
    // The S3 plugin's AWS SDK v1 prints a deprecation notice with a stack trace on every client.
    if (System.getProperty("aws.java.v1.disableDeprecationAnnouncement") == null) {
      System.setProperty("aws.java.v1.disableDeprecationAnnouncement", "true");
    }
    Configuration conf = new Configuration();
    conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    conf.setString("s3.endpoint", s3.endpoint().toString());
    conf.setString("s3.path.style.access", "true");
    conf.setString("s3.access-key", s3.accessKey());
    conf.setString("s3.secret-key", s3.secretKey());
    conf.setString("s3.connection.ssl.enabled", "false");
    // Directory markers cost a LIST and a DELETE per file written; no reader of ours needs them.
    conf.setString("s3.directory.marker.retention", "keep");
    conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
    conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, s3.checkpointDirectory());
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 20);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(300));
    // The MiniCluster does not set up file systems; S3 needs the plugin's.
    FileSystem.initialize(conf, PluginUtils.createPluginManagerFromRootFolder(conf));
    return conf;
  }

  /**
   * The newest retained checkpoint under the checkpoint directory (any job's {@code chk-N} that has
   * its {@code _metadata}), or null if there is none.
   */
  public static String latestCheckpoint(S3 s3) throws java.io.IOException {
    configure(s3);
    org.apache.flink.core.fs.Path root = new org.apache.flink.core.fs.Path(s3.checkpointDirectory());
    FileSystem fs = root.getFileSystem();
    String best = null;
    long bestTime = -1;
    if (!fs.exists(root)) {
      return null;
    }
    for (org.apache.flink.core.fs.FileStatus job : fs.listStatus(root)) {
      for (org.apache.flink.core.fs.FileStatus chk : fs.listStatus(job.getPath())) {
        org.apache.flink.core.fs.Path metadata = new org.apache.flink.core.fs.Path(chk.getPath(), "_metadata");
        if (chk.getPath().getName().startsWith("chk-") && fs.exists(metadata)) {
          long time = fs.getFileStatus(metadata).getModificationTime();
          if (time > bestTime) {
            bestTime = time;
            best = chk.getPath().toString();
          }
        }
      }
    }
    return best;
  }
}
