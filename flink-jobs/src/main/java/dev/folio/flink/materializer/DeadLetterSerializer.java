package dev.folio.flink.materializer;

import dev.folio.wal.reader.DeadLetters;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Writes garbage to the dead-letter topic byte for byte, with the headers {@link DeadLetters} defines. */
final class DeadLetterSerializer implements KafkaRecordSerializationSchema<WalEvent> {
  private final String sourceTopic;
  private final String deadLetterTopic;

  DeadLetterSerializer(String sourceTopic, String deadLetterTopic) {
    this.sourceTopic = sourceTopic;
    this.deadLetterTopic = deadLetterTopic;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(WalEvent e, KafkaSinkContext context, Long timestamp) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(DeadLetters.REASON, utf8(e.reason));
    headers.add(DeadLetters.MESSAGE, utf8(e.message));
    headers.add(DeadLetters.TOPIC, utf8(sourceTopic));
    headers.add(DeadLetters.PARTITION, utf8(Integer.toString(e.partition)));
    headers.add(DeadLetters.OFFSET, utf8(Long.toString(e.offset)));
    return new ProducerRecord<>(deadLetterTopic, null, e.key, e.value, headers);
  }

  private static byte[] utf8(String s) {
    return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
  }
}
