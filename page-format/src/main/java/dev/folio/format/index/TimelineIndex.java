package dev.folio.format.index;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.layer.LayerDescriptor;
import dev.folio.format.layer.LayerKind;
import dev.folio.format.layer.LayerName;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The timeline index: which layers make up a timeline as of a committed checkpoint. Only the index
 * committer writes one, under {@code index/<seq>.json}, and a layer becomes visible only when an
 * index lists it (DESIGN invariant 7). JSON, format version 1, for example:
 *
 * <pre>
 * {
 *   "formatVersion": 1,
 *   "timeline": "0f3c...32 hex digits",
 *   "seq": 12,
 *   "ancestor": {"timeline": "9a1b...", "lsn": "0/16B3748"},        or null
 *   "startLsn": "0/16B3748",         the timeline's own log starts after it (optional, read as
 *                                    the ancestor's LSN, or 0): a branch point, or a replay's LSN
 *   "retainedFromLsn": "0/1000000",  garbage collection kept what reads from here on need, and
 *                                    what child timelines read at their branch points; reads below
 *                                    it are refused (optional, read as 0)
 *   "consistentLsn": "0/1A2B3C4",    everything up to here is in the layers (invariant 6)
 *   "checkpointId": 42,              the Flink checkpoint that produced this index
 *   "jobId": "4bd1...",              the Flink job that committed it
 *   "kafkaOffsets": [{"topic": "folio.wal", "partition": 0, "offset": 1234}],
 *   "layers": [{"kind": "delta", "firstKey": "1/16384/main/0", "lastKey": "1/16384/main/9",
 *               "lsnStart": "0/100", "lsnEnd": "0/200", "generation": "c42s0a0",
 *               "sizeBytes": 81234, "entries": 311}],
 *   "walArchive": [{"partition": 0, "firstLsn": "0/100", "lastLsn": "0/1F0", "records": 12,
 *                   "sizeBytes": 4096, "file": "0000000000000100-00000000000001F0.c42s0a0.avro"}],
 *   "createdAt": "2026-11-24T10:00:00Z"
 * }
 * </pre>
 *
 * Kafka offsets are where a reader of the log's tail starts for this timeline, per partition:
 * after them come only records above the consistent LSN. The WAL archive lists the files of raw
 * records, per partition in LSN order, that replay reads when Kafka no longer holds them. A reader refuses another format
 * version and any unknown field, rather than guess what a newer writer meant.
 */
public record TimelineIndex(TimelineId timeline, long seq, Ancestor ancestor, long startLsn, long retainedFromLsn,
    long consistentLsn, long checkpointId,
    String jobId, List<KafkaOffset> kafkaOffsets, List<LayerDescriptor> layers, List<ArchiveFile> walArchive, Instant createdAt) {
  public static final int FORMAT_VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Set<String> FIELDS = Set.of("formatVersion", "timeline", "seq", "ancestor", "startLsn",
      "retainedFromLsn", "consistentLsn",
      "checkpointId", "jobId", "kafkaOffsets", "layers", "walArchive", "createdAt");

  /** The timeline this one branched from, and the LSN it branched at. */
  public record Ancestor(TimelineId timeline, long lsn) {}

  /** The next offset to read on one partition. */
  public record KafkaOffset(String topic, int partition, long offset) {}

  /** A file of the WAL archive: the timeline's records on one partition, LSNs first to last. */
  public record ArchiveFile(int partition, long firstLsn, long lastLsn, long records, long sizeBytes, String file) {
    /** {@code <firstLsn>-<lastLsn>.<generation>.avro}, LSNs in 16 hex digits. */
    public static String fileName(long firstLsn, long lastLsn, String generation) {
      return String.format("%016X-%016X.%s.avro", firstLsn, lastLsn, generation);
    }
  }

  public TimelineIndex {
    if (ancestor != null && startLsn != ancestor.lsn()) {
      throw new IllegalArgumentException("a branch's log starts at its branch point " + Lsn.format(ancestor.lsn())
          + ", not " + Lsn.format(startLsn));
    }
    kafkaOffsets = List.copyOf(kafkaOffsets);
    layers = List.copyOf(layers);
    walArchive = List.copyOf(walArchive);
  }

  /**
   * The first index of a timeline, written when the timeline is created (by a branch or a new
   * database): no layers; a branch is consistent up to its branch point, since it has nothing of
   * its own below it. The materializer's indexes follow it and carry its ancestor on.
   */
  public static TimelineIndex created(TimelineId timeline, Ancestor ancestor, Instant at) {
    long start = ancestor == null ? 0 : ancestor.lsn();
    return new TimelineIndex(timeline, 1, ancestor, start, 0, start, 0, CREATED_BY, List.of(), List.of(), List.of(), at);
  }

  /**
   * The first index of a timeline rebuilt by a replay: its pages as of {@code lsn} are in
   * {@code layers}, and its own log starts after that LSN. It has no ancestor: nothing it reads
   * comes from another timeline.
   */
  public static TimelineIndex replayed(TimelineId timeline, long lsn, List<LayerDescriptor> layers, String jobId,
      Instant at) {
    return new TimelineIndex(timeline, 1, null, lsn, 0, lsn, 0, jobId, List.of(), layers, List.of(), at);
  }

  /** The job id of an index written by {@link #created}. */
  public static final String CREATED_BY = "created";

  /** The object name of index number {@code seq}: zero-padded, so that names sort by number. */
  public static String fileName(long seq) {
    return String.format("%020d.json", seq);
  }

  public byte[] toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("formatVersion", FORMAT_VERSION);
    root.put("timeline", timeline.toString());
    root.put("seq", seq);
    if (ancestor == null) {
      root.putNull("ancestor");
    } else {
      root.putObject("ancestor").put("timeline", ancestor.timeline().toString()).put("lsn", Lsn.format(ancestor.lsn()));
    }
    root.put("startLsn", Lsn.format(startLsn));
    root.put("retainedFromLsn", Lsn.format(retainedFromLsn));
    root.put("consistentLsn", Lsn.format(consistentLsn));
    root.put("checkpointId", checkpointId);
    root.put("jobId", jobId);
    ArrayNode offsets = root.putArray("kafkaOffsets");
    for (KafkaOffset o : kafkaOffsets) {
      offsets.addObject().put("topic", o.topic()).put("partition", o.partition()).put("offset", o.offset());
    }
    ArrayNode list = root.putArray("layers");
    for (LayerDescriptor d : layers) {
      LayerName n = d.name();
      list.addObject()
          .put("kind", n.kind().extension())
          .put("firstKey", n.firstKey().toString())
          .put("lastKey", n.lastKey().toString())
          .put("lsnStart", Lsn.format(n.lsnStart()))
          .put("lsnEnd", Lsn.format(n.lsnEnd()))
          .put("generation", n.generation())
          .put("sizeBytes", d.sizeBytes())
          .put("entries", d.entries());
    }
    ArrayNode archive = root.putArray("walArchive");
    for (ArchiveFile f : walArchive) {
      archive.addObject().put("partition", f.partition()).put("firstLsn", Lsn.format(f.firstLsn()))
          .put("lastLsn", Lsn.format(f.lastLsn())).put("records", f.records()).put("sizeBytes", f.sizeBytes())
          .put("file", f.file());
    }
    root.put("createdAt", createdAt.toString());
    try {
      return JSON.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write an index as JSON", e);
    }
  }

  /** Reads an index; {@code source} names it in errors. */
  public static TimelineIndex fromJson(String source, byte[] json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new IndexFormatException(source + " is not JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IndexFormatException(source + " is not a JSON object");
    }
    Reader r = new Reader(source);
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!FIELDS.contains(field)) {
        throw new IndexFormatException(source + " has an unknown field \"" + field + "\"");
      }
    }
    long version = r.number(root, "formatVersion");
    if (version != FORMAT_VERSION) {
      throw new IndexFormatException(source + " has format version " + version + "; this reader knows "
          + FORMAT_VERSION);
    }
    JsonNode ancestorNode = r.field(root, "ancestor");
    Ancestor ancestor = ancestorNode.isNull() ? null
        : new Ancestor(r.parse(ancestorNode, "timeline", TimelineId::parse), r.lsn(ancestorNode, "lsn"));
    List<KafkaOffset> offsets = new ArrayList<>();
    for (JsonNode o : r.array(root, "kafkaOffsets")) {
      offsets.add(new KafkaOffset(r.text(o, "topic"), Math.toIntExact(r.number(o, "partition")), r.number(o, "offset")));
    }
    List<LayerDescriptor> layers = new ArrayList<>();
    for (JsonNode l : r.array(root, "layers")) {
      LayerKind kind = r.parse(l, "kind", text -> {
        LayerKind k = LayerKind.fromExtension(text);
        if (k == null) {
          throw new IllegalArgumentException("unknown layer kind " + text);
        }
        return k;
      });
      LayerName name = r.build(() -> new LayerName(kind, r.parse(l, "firstKey", PageKey::parse),
          r.parse(l, "lastKey", PageKey::parse), r.lsn(l, "lsnStart"), r.lsn(l, "lsnEnd"), r.text(l, "generation")));
      layers.add(new LayerDescriptor(name, r.number(l, "sizeBytes"), r.number(l, "entries")));
    }
    List<ArchiveFile> archive = new ArrayList<>();
    for (JsonNode f : r.array(root, "walArchive")) {
      archive.add(new ArchiveFile(Math.toIntExact(r.number(f, "partition")), r.lsn(f, "firstLsn"), r.lsn(f, "lastLsn"),
          r.number(f, "records"), r.number(f, "sizeBytes"), r.text(f, "file")));
    }
    long start = root.has("startLsn") ? r.lsn(root, "startLsn") : ancestor == null ? 0 : ancestor.lsn();
    return r.build(() -> new TimelineIndex(r.parse(root, "timeline", TimelineId::parse), r.number(root, "seq"), ancestor,
        start, root.has("retainedFromLsn") ? r.lsn(root, "retainedFromLsn") : 0, r.lsn(root, "consistentLsn"), r.number(root, "checkpointId"), r.text(root, "jobId"), offsets, layers, archive,
        r.parse(root, "createdAt", Instant::parse)));
  }

  /** Field access that turns every kind of bad input into an {@link IndexFormatException}. */
  private record Reader(String source) {
    JsonNode field(JsonNode node, String name) {
      JsonNode v = node.get(name);
      if (v == null) {
        throw new IndexFormatException(source + " lacks the field \"" + name + "\"");
      }
      return v;
    }

    long number(JsonNode node, String name) {
      JsonNode v = field(node, name);
      if (!v.isIntegralNumber() || !v.canConvertToLong()) {
        throw new IndexFormatException(source + ": \"" + name + "\" is not an integer");
      }
      return v.asLong();
    }

    String text(JsonNode node, String name) {
      JsonNode v = field(node, name);
      if (!v.isTextual()) {
        throw new IndexFormatException(source + ": \"" + name + "\" is not a string");
      }
      return v.asText();
    }

    Iterable<JsonNode> array(JsonNode node, String name) {
      JsonNode v = field(node, name);
      if (!v.isArray()) {
        throw new IndexFormatException(source + ": \"" + name + "\" is not an array");
      }
      return v;
    }

    long lsn(JsonNode node, String name) {
      return parse(node, name, t -> Lsn.parse(t).value());
    }

    <T> T parse(JsonNode node, String name, Function<String, T> parser) {
      String text = text(node, name);
      try {
        return parser.apply(text);
      } catch (IllegalArgumentException | DateTimeParseException e) {
        throw new IndexFormatException(source + ": \"" + name + "\" is invalid: " + e.getMessage(), e);
      }
    }

    <T> T build(Supplier<T> builder) {
      try {
        return builder.get();
      } catch (IllegalArgumentException e) {
        throw new IndexFormatException(source + ": " + e.getMessage(), e);
      }
    }
  }
}
