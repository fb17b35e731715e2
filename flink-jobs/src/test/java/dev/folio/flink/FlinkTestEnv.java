package dev.folio.flink;

import dev.folio.testsupport.S3Endpoint;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.PluginUtils;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A Flink MiniCluster set up as a real deployment is: RocksDB state, incremental checkpoints on
 * {@code s3a://} through the s3-fs-hadoop plugin (the surefire configuration points
 * FLINK_PLUGINS_DIR at it), and a restart strategy.
 */
public final class FlinkTestEnv {
  private FlinkTestEnv() {}

  public static StreamExecutionEnvironment create(S3Endpoint s3, int parallelism, Duration checkpointInterval) {
    Configuration conf = new Configuration();
    conf.setString("s3.endpoint", s3.endpoint().toString());
    conf.setString("s3.path.style.access", "true");
    conf.setString("s3.access-key", s3.accessKey());
    conf.setString("s3.secret-key", s3.secretKey());
    conf.setString("s3.connection.ssl.enabled", "false");
    conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
    conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, s3.s3aRoot() + "flink/checkpoints");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 20);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(300));
    FileSystem.initialize(conf, PluginUtils.createPluginManagerFromRootFolder(conf));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
    env.enableCheckpointing(checkpointInterval.toMillis());
    return env;
  }
}
