package dev.folio.flink.local;

import java.net.URI;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
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
    Configuration conf = new Configuration();
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
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
    env.enableCheckpointing(checkpointInterval.toMillis());
    return env;
  }
}
