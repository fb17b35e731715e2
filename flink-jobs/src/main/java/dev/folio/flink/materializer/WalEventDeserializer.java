package dev.folio.flink.materializer;

import dev.folio.format.PageKey;
import dev.folio.format.wal.WalCodec;
import dev.folio.format.wal.WalDecodeException;
import dev.folio.wal.reader.WalMessageDecoder;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The job's view of the WAL topic: each value becomes a {@link WalEvent}. Only the header is
 * read here (which message, which timeline, which LSN); a record's body is decoded once, by the
 * folder. What is not a WAL message at all becomes garbage, bound for the dead-letter topic.
 */
public final class WalEventDeserializer implements KafkaRecordDeserializationSchema<WalEvent> {
  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<WalEvent> out) {
    try {
      WalCodec.Peek peek = WalCodec.get().peek(record.value());
      WalEvent e = new WalEvent();
      e.kind = peek.isRecord() ? WalEvent.RECORD : WalEvent.MARKER;
      e.partition = record.partition();
      e.offset = record.offset();
      e.timelineHigh = peek.timelineHigh();
      e.timelineLow = peek.timelineLow();
      e.lsn = peek.lsn();
      e.key = record.key();
      e.value = record.value();
      if (e.kind == WalEvent.RECORD && (e.key == null || e.key.length != PageKey.ENCODED_SIZE)) {
        out.collect(WalEvent.garbage(record.partition(), record.offset(), record.key(), record.value(),
            WalMessageDecoder.KEY_MISMATCH, "a WAL record's Kafka key is not a 13-byte page key"));
        return;
      }
      out.collect(e);
    } catch (WalDecodeException e) {
      out.collect(WalEvent.garbage(record.partition(), record.offset(), record.key(), record.value(), e.code(),
          e.getMessage()));
    }
  }

  @Override
  public TypeInformation<WalEvent> getProducedType() {
    return TypeInformation.of(WalEvent.class);
  }
}
