package dev.folio.format.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.layer.LayerDescriptor;
import dev.folio.format.layer.LayerName;
import dev.folio.schemas.wal.Fork;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimelineIndexTest {
  private static final PageKey A = new PageKey(1, 16384, Fork.MAIN, 0);
  private static final PageKey B = new PageKey(1, 16384, Fork.MAIN, 9);

  private static TimelineIndex sample(TimelineIndex.Ancestor ancestor) {
    return new TimelineIndex(TimelineId.generate(), 12, ancestor, ancestor == null ? 0 : ancestor.lsn(), 0x100, 0x1A2B3C4L, 42, "4bd1c0ffee",
        List.of(new TimelineIndex.KafkaOffset("folio.wal", 0, 1234), new TimelineIndex.KafkaOffset("folio.wal", 1, 7)),
        List.of(new LayerDescriptor(LayerName.delta(A, B, 0x100, 0x200, "c42s0a0"), 81234, 311),
            new LayerDescriptor(LayerName.image(A, B, 0x1FF, "c42s1a0"), 90000, 10)),
        List.of(new TimelineIndex.ArchiveFile(0, 0x100, 0x1F0, 12, 4096,
            TimelineIndex.ArchiveFile.fileName(0x100, 0x1F0, "c42s0a0"))),
        Instant.parse("2026-11-24T10:00:00Z"));
  }

  @Test
  void roundTripsThroughJson() {
    for (TimelineIndex index : List.of(sample(null),
        sample(new TimelineIndex.Ancestor(TimelineId.generate(), 0x16B3748L)))) {
      byte[] json = index.toJson();
      assertThat(TimelineIndex.fromJson("index.json", json)).isEqualTo(index);
    }
  }

  @Test
  void isReadableJson() {
    String json = new String(sample(null).toJson(), StandardCharsets.UTF_8);
    assertThat(json).contains("\"formatVersion\" : 1", "\"consistentLsn\" : \"0/1A2B3C4\"",
        "\"firstKey\" : \"1/16384/main/0\"", "\"kind\" : \"delta\"", "\"ancestor\" : null");
    assertThat(TimelineIndex.fileName(12)).isEqualTo("00000000000000000012.json");
    assertThat(json).contains("\"file\" : \"0000000000000100-00000000000001F0.c42s0a0.avro\"");
  }

  @Test
  void refusesWhatItCannotTrust() {
    String good = new String(sample(null).toJson(), StandardCharsets.UTF_8);
    assertRefused("{", "is not JSON");
    assertRefused("[]", "is not a JSON object");
    assertRefused(good.replace("\"formatVersion\" : 1", "\"formatVersion\" : 2"), "format version 2");
    assertRefused(good.replace("\"seq\"", "\"sequence\""), "unknown field \"sequence\"");
    assertRefused(good.replace("\"checkpointId\" : 42,", ""), "lacks the field \"checkpointId\"");
    assertRefused(good.replace("\"0/1A2B3C4\"", "\"zz\""), "\"consistentLsn\" is invalid");
    assertRefused(good.replace("\"1/16384/main/0\"", "\"1/16384/heap/0\""), "unknown fork");
    assertRefused(good.replace("\"kind\" : \"delta\"", "\"kind\" : \"mystery\""), "unknown layer kind");
    assertRefused(good.replace("\"seq\" : 12", "\"seq\" : \"12\""), "\"seq\" is not an integer");
    assertRefused(good.replace("\"c42s0a0\"", "\"BAD GEN\""), "generation");
  }

  private static void assertRefused(String json, String message) {
    assertThatThrownBy(() -> TimelineIndex.fromJson("s3://b/index/12.json", json.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IndexFormatException.class)
        .hasMessageContaining("s3://b/index/12.json")
        .hasMessageContaining(message);
  }
}
