package dev.folio.format.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.schemas.wal.Fork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The layer file format on its own: round trips, lookups, and corruption of any byte. */
class LayerFileTest {
  private static final TimelineId TIMELINE = TimelineId.generate();

  record Written(List<LayerFile.Entry> entries, byte[] bytes, LayerSummary summary) {}

  /** Writes a random layer of random entries, with small data blocks so that there are many. */
  static Written write(Random random, LayerKind kind, int entryCount, int blockSize) throws IOException {
    TreeSet<PageKey> keys = new TreeSet<>();
    while (keys.size() < Math.max(1, entryCount / (1 + random.nextInt(4)))) {
      keys.add(new PageKey(random.nextInt(3), random.nextInt(5), Fork.values()[random.nextInt(5)],
          random.nextInt(random.nextBoolean() ? 10 : Integer.MAX_VALUE)));
    }
    long lsnStart = 1 + (random.nextLong() >>> 2);
    List<LayerFile.Entry> entries = new ArrayList<>();
    for (PageKey key : keys) {
      long lsn = kind == LayerKind.IMAGE ? lsnStart - random.nextInt(1000) : lsnStart;
      int versions = kind == LayerKind.IMAGE ? 1 : 1 + random.nextInt(4);
      for (int v = 0; v < versions; v++) {
        lsn += kind == LayerKind.IMAGE ? 0 : random.nextInt(500);
        byte[] value = new byte[random.nextInt(random.nextInt(10) == 0 ? 9000 : 200)];
        random.nextBytes(value);
        entries.add(new LayerFile.Entry(key, lsn, random.nextBoolean(), value));
        lsn++;
      }
    }
    long lsnEnd = kind == LayerKind.IMAGE ? lsnStart + 1
        : entries.stream().mapToLong(LayerFile.Entry::lsn).max().orElseThrow() + 1 + random.nextInt(10);
    Path file = Files.createTempFile("layer", ".tmp");
    Files.delete(file);
    try {
      LayerSummary summary;
      try (LayerWriter w = new LayerWriter(file, kind, TIMELINE, lsnStart, lsnEnd, blockSize)) {
        for (LayerFile.Entry e : entries) {
          w.add(e.key(), e.lsn(), e.willInit(), e.value());
        }
        summary = w.finish();
      }
      return new Written(entries, Files.readAllBytes(file), summary);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  static List<String> describe(List<LayerFile.Entry> entries) {
    return entries.stream().map(e -> e.key() + "@" + Lsn.format(e.lsn()) + (e.willInit() ? "!" : "") + ":"
        + Arrays.hashCode(e.value()) + "/" + e.value().length).toList();
  }

  /** (c) Layer files round-trip: every entry comes back, by scan and by lookup. */
  @Property(tries = 150)
  void layerFilesRoundTrip(@ForAll long seed, @ForAll @IntRange(min = 1, max = 300) int count,
      @ForAll @IntRange(min = 16, max = 20000) int blockSize, @ForAll boolean image) throws IOException {
    Random random = new Random(seed);
    Written w = write(random, image ? LayerKind.IMAGE : LayerKind.DELTA, count, blockSize);
    try (LayerFile file = LayerFile.open(new BytesLayerSource("test.layer", w.bytes()))) {
      file.verify();
      assertThat(file.summary()).isEqualTo(w.summary());
      assertThat(file.summary().entries()).isEqualTo(w.entries().size());
      assertThat(file.summary().fileLength()).isEqualTo(w.bytes().length);
      List<LayerFile.Entry> scanned = new ArrayList<>();
      file.scan(scanned::add);
      assertThat(describe(scanned)).isEqualTo(describe(w.entries()));

      for (int i = 0; i < 20; i++) {
        LayerFile.Entry probe = w.entries().get(random.nextInt(w.entries().size()));
        long after = random.nextBoolean() ? 0 : probe.lsn() - 1 - random.nextInt(300);
        long upto = random.nextBoolean() ? Lsn.MAX.value() : probe.lsn() + random.nextInt(300);
        List<LayerFile.Entry> expected = w.entries().stream()
            .filter(e -> e.key().equals(probe.key()) && Lsn.compare(e.lsn(), after) > 0 && Lsn.compare(e.lsn(), upto) <= 0)
            .toList();
        assertThat(describe(file.lookup(probe.key(), after, upto))).isEqualTo(describe(expected));
      }
      PageKey absent = new PageKey(7, 7, Fork.MAIN, 7);
      assertThat(file.lookup(absent, 0, Lsn.MAX.value())).isEmpty();
    }
  }

  /** (d) Any single flipped byte is detected, naming the file and an offset. */
  @Property(tries = 1000)
  void anyFlippedByteIsDetected(@ForAll long seed, @ForAll @IntRange(min = 1, max = 255) int mask) throws IOException {
    Random random = new Random(seed);
    Written w = write(random, random.nextBoolean() ? LayerKind.IMAGE : LayerKind.DELTA, 1 + random.nextInt(60),
        64 + random.nextInt(2000));
    byte[] bytes = w.bytes().clone();
    int at = random.nextInt(bytes.length);
    bytes[at] ^= (byte) mask;
    assertThatThrownBy(() -> {
      try (LayerFile file = LayerFile.open(new BytesLayerSource("flipped.delta", bytes))) {
        file.verify();
      }
    }).as("flip at %d of %d", at, bytes.length)
        .isInstanceOfSatisfying(LayerCorruptedException.class, e -> {
          assertThat(e.file()).isEqualTo("flipped.delta");
          assertThat(e.offset()).isBetween(0L, (long) bytes.length);
          assertThat(e.code()).isEqualTo("LAYER_CORRUPT");
        })
        .hasMessageContaining("flipped.delta").hasMessageContaining("offset");
  }

  /** (d) Any truncation is detected when the file is opened. */
  @Property(tries = 300)
  void anyTruncationIsDetected(@ForAll long seed) throws IOException {
    Random random = new Random(seed);
    Written w = write(random, LayerKind.DELTA, 1 + random.nextInt(60), 64 + random.nextInt(2000));
    int length = random.nextInt(w.bytes().length);
    byte[] cut = Arrays.copyOf(w.bytes(), length);
    assertThatThrownBy(() -> LayerFile.open(new BytesLayerSource("cut.delta", cut)))
        .isInstanceOfSatisfying(LayerCorruptedException.class, e -> assertThat(e.offset()).isEqualTo(length))
        .hasMessageContaining("cut.delta");
  }

  @Test
  void aWriterRefusesEntriesOutOfOrderOrOutOfRange(@TempDir Path dir) throws IOException {
    PageKey a = new PageKey(1, 1, Fork.MAIN, 1);
    PageKey b = new PageKey(1, 1, Fork.MAIN, 2);
    try (LayerWriter w = new LayerWriter(dir.resolve("x"), LayerKind.DELTA, TIMELINE, 100, 200, 1024)) {
      w.add(b, 150, false, new byte[1]);
      assertThatThrownBy(() -> w.add(a, 160, false, new byte[1])).hasMessageContaining("out of order");
      assertThatThrownBy(() -> w.add(b, 150, false, new byte[1])).hasMessageContaining("out of order");
      assertThatThrownBy(() -> w.add(b, 250, false, new byte[1])).hasMessageContaining("outside");
    }
    assertThat(dir.resolve("x")).doesNotExist();
    try (LayerWriter w = new LayerWriter(dir.resolve("y"), LayerKind.DELTA, TIMELINE, 100, 200, 1024)) {
      assertThatThrownBy(w::finish).hasMessageContaining("at least one entry");
    }
  }

  @Test
  void somethingElseIsNotALayer() {
    byte[] notALayer = new byte[1000];
    assertThatThrownBy(() -> LayerFile.open(new BytesLayerSource("zeros", notALayer)))
        .isInstanceOf(LayerCorruptedException.class).hasMessageContaining("no layer magic");
    assertThatThrownBy(() -> LayerFile.open(new BytesLayerSource("tiny", new byte[3])))
        .isInstanceOf(LayerCorruptedException.class).hasMessageContaining("before its summary ends");
  }
}
