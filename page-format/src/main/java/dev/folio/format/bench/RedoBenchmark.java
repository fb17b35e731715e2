package dev.folio.format.bench;

import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.page.Page;
import dev.folio.format.page.PageLayout;
import dev.folio.format.redo.Redo;
import dev.folio.format.wal.WalRecords;
import dev.folio.schemas.wal.Fork;
import dev.folio.schemas.wal.HeapInsert;
import dev.folio.schemas.wal.HeapPageInit;
import dev.folio.schemas.wal.WalRecord;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Redo of a heap insert (a row of {@code tupleBytes} onto a half-full heap page) against its
 * limit: a bare copy of the same bytes, the page and the tuple, with no checks and no checksum.
 * Run by {@code folio bench redo}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RedoBenchmark {
  @Param("100")
  public int tupleBytes;

  private Page base;
  private WalRecord insert;
  private byte[] baseBytes;
  private byte[] tuple;

  @Setup
  public void setup() {
    TimelineId timeline = new TimelineId(1, 1);
    PageKey key = new PageKey(1, 16384, Fork.MAIN, 0);
    Random random = new Random(42);
    long lsn = 0x1000;
    base = Redo.apply(null, WalRecords.of(timeline, lsn, 0, key, new HeapPageInit()));
    tuple = new byte[tupleBytes];
    random.nextBytes(tuple);
    while (base.freeSpace() > PageLayout.PAGE_SIZE / 2) {
      lsn += 100;
      base = Redo.apply(base, WalRecords.of(timeline, lsn, 7, key,
          new HeapInsert(base.itemCount() + 1, 0, ByteBuffer.wrap(tuple))));
    }
    insert = WalRecords.of(timeline, lsn + 100, 8, key,
        new HeapInsert(base.itemCount() + 1, 0, ByteBuffer.wrap(tuple)));
    baseBytes = base.toByteArray();
  }

  /** What a compute, the materializer and the page service do for every insert. */
  @Benchmark
  public Page redoHeapInsert() {
    return Redo.apply(base, insert);
  }

  /** The limit: copy the page and place the tuple bytes, nothing else. */
  @Benchmark
  public byte[] bareCopy() {
    byte[] out = baseBytes.clone();
    System.arraycopy(tuple, 0, out, PageLayout.HEADER_SIZE + 4096, tuple.length);
    return out;
  }
}
