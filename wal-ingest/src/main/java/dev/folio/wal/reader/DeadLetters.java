package dev.folio.wal.reader;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-letter topic: where WAL messages that cannot be used go, byte for byte, with why and
 * where from in the headers:
 *
 * <pre>
 *   folio.dlq.reason     a code, e.g. WAL_UNKNOWN_SCHEMA, WAL_MALFORMED, REDO_NO_BASE
 *   folio.dlq.message    what is wrong, for people
 *   folio.dlq.topic      the topic it was read from
 *   folio.dlq.partition  the partition, in decimal
 *   folio.dlq.offset     the offset, in decimal
 * </pre>
 */
public final class DeadLetters implements AutoCloseable {
  public static final String REASON = "folio.dlq.reason";
  public static final String MESSAGE = "folio.dlq.message";
  public static final String TOPIC = "folio.dlq.topic";
  public static final String PARTITION = "folio.dlq.partition";
  public static final String OFFSET = "folio.dlq.offset";
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

  private final String deadLetterTopic;
  private final KafkaProducer<byte[], byte[]> producer;
  private final MeterRegistry registry;

  public DeadLetters(String bootstrapServers, Map<String, String> clientProperties, String deadLetterTopic,
      MeterRegistry registry) {
    Map<String, Object> props = new HashMap<>(clientProperties);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    this.deadLetterTopic = deadLetterTopic;
    this.registry = registry;
  }

  /** Sends the message to the dead-letter topic; a failure to send is logged with the message's place. */
  public void send(String sourceTopic, int partition, long offset, byte[] key, byte[] value, String reason,
      String message) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(REASON, utf8(reason));
    headers.add(MESSAGE, utf8(message));
    headers.add(TOPIC, utf8(sourceTopic));
    headers.add(PARTITION, utf8(Integer.toString(partition)));
    headers.add(OFFSET, utf8(Long.toString(offset)));
    Counter.builder("folio.wal.dlq.records").description("WAL messages sent to the dead-letter topic")
        .tag("reason", reason).register(registry).increment();
    LOG.warn("Dead letter from {}-{}@{}: {} ({})", sourceTopic, partition, offset, reason, message);
    producer.send(new ProducerRecord<>(deadLetterTopic, null, key, value, headers), (metadata, e) -> {
      if (e != null) {
        LOG.error("Could not send the dead letter from {}-{}@{} ({}); it stays in the source topic", sourceTopic,
            partition, offset, reason, e);
      }
    });
  }

  public void send(String sourceTopic, WalMessage.Garbage garbage) {
    send(sourceTopic, garbage.partition(), garbage.offset(), garbage.key(), garbage.value(), garbage.reason(),
        garbage.message());
  }

  public void flush() {
    producer.flush();
  }

  private static byte[] utf8(String s) {
    return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    producer.close();
  }
}
