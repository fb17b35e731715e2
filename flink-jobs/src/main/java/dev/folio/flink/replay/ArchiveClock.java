package dev.folio.flink.replay;

import dev.folio.flink.storage.ObjectStore;
import dev.folio.flink.storage.TimelineIndexStore;
import dev.folio.format.Lsn;
import dev.folio.format.TimelineId;
import dev.folio.format.index.TimelineIndex;
import dev.folio.format.layout.StorageLayout;
import dev.folio.schemas.wal.ClogSetStatus;
import dev.folio.schemas.wal.WalRecord;
import dev.folio.schemas.wal.XactStatus;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.OptionalLong;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * Time to LSN from the WAL archive, for times older than what Kafka still holds (the page service
 * knows commit times only from the log's tail): the LSN of the last commit at or before the time
 * in a timeline's archived history, its ancestors' up to each branch point included. It reads
 * every archived record, as the replay that follows does.
 */
public final class ArchiveClock {
  private ArchiveClock() {}

  public static OptionalLong lsnAt(StorageLayout layout, TimelineId timeline, Instant time) throws IOException {
    long micros = time.getEpochSecond() * 1_000_000 + time.getNano() / 1_000;
    long best = 0;
    boolean found = false;
    long upTo = Lsn.MAX.value();
    for (TimelineId t = timeline; t != null; ) {
      TimelineIndex index = TimelineIndexStore.newest(layout, t);
      if (index == null) {
        throw new ReplayException(ReplayException.TIMELINE_NOT_FOUND, "timeline " + t + " has no index");
      }
      for (TimelineIndex.ArchiveFile f : index.walArchive()) {
        byte[] bytes = ObjectStore.readIfExists(layout.walArchive(t, f.partition()) + f.file());
        if (bytes == null) {
          throw new IOException("archive file " + f.file() + " of timeline " + t + " is listed and missing");
        }
        try (DataFileStream<WalRecord> records = new DataFileStream<>(new ByteArrayInputStream(bytes),
            new SpecificDatumReader<>(WalRecord.class))) {
          for (WalRecord r : records) {
            if (r.getBody() instanceof ClogSetStatus s && s.getStatus() == XactStatus.COMMITTED
                && s.getTimeMicros() <= micros && Lsn.compare(r.getLsn(), upTo) <= 0
                && (!found || Lsn.compare(r.getLsn(), best) > 0)) {
              best = r.getLsn();
              found = true;
            }
          }
        }
      }
      TimelineIndex.Ancestor ancestor = index.ancestor();
      t = ancestor == null ? null : ancestor.timeline();
      upTo = ancestor == null ? upTo : ancestor.lsn();
    }
    return found ? OptionalLong.of(best) : OptionalLong.empty();
  }
}
