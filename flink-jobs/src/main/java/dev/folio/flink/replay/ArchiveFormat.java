package dev.folio.flink.replay;

import dev.folio.flink.materializer.WalEvent;
import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.wal.WalCodec;
import dev.folio.schemas.wal.WalRecord;
import java.io.IOException;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * Reads a WAL archive file (an Avro container file of {@code WalRecord}s, written by the layer
 * writer) as WAL events, like those the Kafka source produces: the record single-object encoded,
 * its page key, timeline and LSN. An archived event has offset -1, which tells the replay where it
 * came from. A file is read whole by one reader: Avro's sync markers would allow splits, but an
 * archive file holds one checkpoint of one partition, small enough not to need them.
 */
public final class ArchiveFormat extends SimpleStreamFormat<WalEvent> {
  /** The offset of an event read from the archive. */
  public static final long ARCHIVED = -1;

  @Override
  public Reader<WalEvent> createReader(Configuration config, FSDataInputStream stream) throws IOException {
    WalCodec codec = WalCodec.get();
    DataFileStream<WalRecord> records = new DataFileStream<>(stream, new SpecificDatumReader<>(WalRecord.class));
    return new Reader<>() {
      @Override
      public WalEvent read() throws IOException {
        if (!records.hasNext()) {
          return null;
        }
        WalRecord record = records.next();
        TimelineId timeline = TimelineId.fromAvro(record.getTimeline());
        WalEvent e = new WalEvent();
        e.kind = WalEvent.RECORD;
        e.partition = -1;
        e.offset = ARCHIVED;
        e.timelineHigh = timeline.high();
        e.timelineLow = timeline.low();
        e.lsn = record.getLsn();
        e.key = PageKey.of(record.getPage()).encode();
        e.value = codec.encode(record);
        return e;
      }

      @Override
      public void close() throws IOException {
        records.close();
      }
    };
  }

  @Override
  public TypeInformation<WalEvent> getProducedType() {
    return TypeInformation.of(WalEvent.class);
  }
}
