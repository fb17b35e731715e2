package dev.folio.compute.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.compute.Fixture;
import dev.folio.testsupport.KafkaEndpoint;
import dev.folio.testsupport.RealInfra;
import dev.folio.testsupport.S3Endpoint;
import dev.folio.wal.writer.WalWriter;
import dev.folio.wal.writer.WalWriterConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NavigableSet;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A B-tree against a sorted set holding the same entries: thousands of keys of up to a kilobyte, so
 * that pages split on every level and the root splits twice, with a buffer cache far smaller than
 * the index, so that most pages come back from the page service. Equality and range scans must
 * return exactly the set's entries, in order; and a second compute, starting from the timeline
 * alone, must find the same tree in the pages the log rebuilt.
 */
@RealInfra
class BtreeIndexTest {
  private static final int DATABASE = 7;

  /** A key: a 4-byte number, then a 2-byte length and that many filler bytes, so no key prefixes another. */
  private static byte[] key(int number, int filler, Random random) {
    byte[] pad = new byte[filler];
    random.nextBytes(pad);
    return ByteBuffer.allocate(6 + filler).putInt(number ^ Integer.MIN_VALUE).putShort((short) filler).put(pad).array();
  }

  private static byte[] prefix(int number) {
    return ByteBuffer.allocate(4).putInt(number ^ Integer.MIN_VALUE).array();
  }

  private record Entry(byte[] key, HeapRelation.Tid tid) {}

  private static final java.util.Comparator<Entry> ORDER = (a, b) -> {
    int c = Arrays.compareUnsigned(a.key(), b.key());
    if (c != 0) {
      return c;
    }
    c = Integer.compare(a.tid().block(), b.tid().block());
    return c != 0 ? c : Integer.compare(a.tid().offset(), b.tid().offset());
  };

  @Test
  void scansFindExactlyWhatWasInsertedAcrossSplitsAndComputes(KafkaEndpoint kafka, S3Endpoint s3) throws Exception {
    try (Fixture f = Fixture.start(kafka, s3)) {
      WalWriterConfig config = WalWriterConfig.of(kafka.bootstrapServers(), f.topic());
      NavigableSet<Entry> oracle = new TreeSet<>(ORDER);
      Random random = new Random(1124);
      int relation;
      try (WalWriter writer = WalWriter.open(config, f.timeline(), 0, new SimpleMeterRegistry());
          PageServiceClient client = new PageServiceClient("127.0.0.1", f.pageServer().grpcPort(), Fixture.TENANT,
              f.timeline(), f.token())) {
        BufferCache pages = new BufferCache(client, writer, 16, 0);
        BtreeIndex index = BtreeIndex.create(pages, new Transactions(pages, writer), DATABASE);
        relation = index.relation();
        for (int i = 0; i < 3000; i++) {
          // Half the keys ascend (rightmost splits), half are random (middle splits), many repeat a number.
          int number = i % 2 == 0 ? i : random.nextInt(400);
          Entry e = new Entry(key(number, random.nextInt(i % 7 == 0 ? 1000 : 60), random),
              new HeapRelation.Tid(random.nextInt(100_000), 1 + random.nextInt(300)));
          index.insert(e.key(), e.tid());
          oracle.add(e);
          if (i % 250 == 0) {
            writer.flush().join();
            checkScans(index, oracle, random);
          }
        }
        checkScans(index, oracle, random);
        assertThat(pages.misses()).isGreaterThan(100);
        assertThat(index.height()).isGreaterThanOrEqualTo(3);
        writer.flush().join();
      }
      try (WalWriter writer = WalWriter.open(config, f.timeline(), 0, new SimpleMeterRegistry());
          PageServiceClient client = new PageServiceClient("127.0.0.1", f.pageServer().grpcPort(), Fixture.TENANT,
              f.timeline(), f.token())) {
        BtreeIndex index = new BtreeIndex(new BufferCache(client, writer, 64, 0), DATABASE, relation);
        checkScans(index, oracle, random);
      }
    }
  }

  private static void checkScans(BtreeIndex index, NavigableSet<Entry> oracle, Random random) {
    assertThat(index.scan(null, true, null, true)).containsExactlyElementsOf(tids(oracle));
    for (int probe = 0; probe < 20; probe++) {
      int a = random.nextInt(3100) - 50;
      int b = a + random.nextInt(200);
      assertThat(index.scan(prefix(a), true, prefix(a), true)).as("= %d", a)
          .containsExactlyElementsOf(tids(between(oracle, a, true, a, true)));
      boolean lowInclusive = random.nextBoolean();
      boolean highInclusive = random.nextBoolean();
      assertThat(index.scan(prefix(a), lowInclusive, prefix(b), highInclusive)).as("%d..%d", a, b)
          .containsExactlyElementsOf(tids(between(oracle, a, lowInclusive, b, highInclusive)));
      assertThat(index.scan(null, true, prefix(b), false)).as("< %d", b)
          .containsExactlyElementsOf(tids(oracle.stream().filter(e -> number(e) < b).toList()));
    }
  }

  private static List<Entry> between(NavigableSet<Entry> oracle, int low, boolean lowInclusive, int high,
      boolean highInclusive) {
    return oracle.stream().filter(e -> {
      int n = number(e);
      return (lowInclusive ? n >= low : n > low) && (highInclusive ? n <= high : n < high);
    }).toList();
  }

  private static int number(Entry e) {
    return ByteBuffer.wrap(e.key()).getInt() ^ Integer.MIN_VALUE;
  }

  private static List<HeapRelation.Tid> tids(Iterable<Entry> entries) {
    List<HeapRelation.Tid> out = new ArrayList<>();
    entries.forEach(e -> out.add(e.tid()));
    return out;
  }
}
