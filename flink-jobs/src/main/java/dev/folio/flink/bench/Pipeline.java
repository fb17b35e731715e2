package dev.folio.flink.bench;

import dev.folio.flink.local.LocalFlink;
import dev.folio.format.layout.StorageLayout;
import dev.folio.wal.topic.WalTopicConfig;

/**
 * Where a Flink benchmark's WAL and storage are: the broker, the WAL topic (created), the object
 * store's layout, and how a MiniCluster reaches S3.
 */
public record Pipeline(String bootstrapServers, WalTopicConfig topic, StorageLayout layout, LocalFlink.S3 s3) {}
