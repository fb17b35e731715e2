package dev.folio.wal.reader;

import dev.folio.format.TimelineId;
import dev.folio.schemas.wal.FlushMarker;
import dev.folio.schemas.wal.WalRecord;

/**
 * One value read from the WAL topic, decoded: a record, a flush marker, or garbage with the reason
 * it could not be used. Each knows the partition and offset it came from.
 */
public sealed interface WalMessage permits WalMessage.Record, WalMessage.Marker, WalMessage.Garbage {
  int partition();

  long offset();

  /** A WAL record, checked against the contract and against its Kafka key; {@code bytes} as on Kafka. */
  record Record(int partition, long offset, WalRecord record, int bytes) implements WalMessage {}

  /** A flush marker: on this partition, the timeline's records up to flushLsn have all been read. */
  record Marker(int partition, long offset, FlushMarker marker) implements WalMessage {
    public TimelineId timeline() {
      return TimelineId.fromAvro(marker.getTimeline());
    }
  }

  /** Bytes that are not a usable WAL message, kept whole for the dead-letter topic. */
  record Garbage(int partition, long offset, byte[] key, byte[] value, String reason, String message)
      implements WalMessage {}
}
