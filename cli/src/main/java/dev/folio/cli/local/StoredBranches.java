package dev.folio.cli.local;

import dev.folio.compute.gateway.BranchManager;
import dev.folio.compute.pgwire.PgException;
import dev.folio.compute.pgwire.SqlState;
import dev.folio.compute.storage.PageServiceClient;
import dev.folio.flink.local.LocalFlink;
import dev.folio.flink.replay.ArchiveClock;
import dev.folio.format.Lsn;
import dev.folio.format.TimelineId;
import dev.folio.format.index.TimelineIndex;
import dev.folio.format.layer.LayerDescriptor;
import dev.folio.format.layout.StorageLayout;
import dev.folio.pageservice.storage.ObjectStore;
import dev.folio.wal.writer.TimelineTail;
import dev.folio.wal.writer.WalWriterConfig;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The tenant's branches as they are kept in object storage: under {@code branches/}, one object
 * per branch, named for it, holding its timeline id. A timeline's first index says its ancestor,
 * the LSN it branched at and when it was created; storage bytes come from its newest index (the
 * layers and WAL archive files it lists). A new branch is a new timeline's first index and a name:
 * nothing is copied. Deleting a branch removes its name; garbage collection deletes its timeline
 * once no branch needs it and nothing wrote to it for the PITR window.
 */
final class StoredBranches implements BranchManager, AutoCloseable {
  private static final String NAME = "[A-Za-z0-9][A-Za-z0-9_.-]{0,62}";
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private final ObjectStore store;
  private final StorageLayout layout;
  private final WalWriterConfig wal;
  private final Function<TimelineId, PageServiceClient> pageService;
  private final Replays replays;
  private final Map<String, Known> recent = new java.util.concurrent.ConcurrentHashMap<>();
  private static final long KEEP_NANOS = 5_000_000_000L;

  /**
   * @param wal where the log is: a branch point defaults to the parent's last committed flush
   * @param pageService a client of the page service for a timeline (closed after each use): times to LSNs
   * @param flink how a Flink MiniCluster here reaches S3, for replays
   */
  StoredBranches(ObjectStore store, StorageLayout layout, WalWriterConfig wal,
      Function<TimelineId, PageServiceClient> pageService, LocalFlink.S3 flink) {
    this.store = store;
    this.layout = layout;
    this.wal = wal;
    this.pageService = pageService;
    this.replays = new Replays(this, store, layout, flink, wal, pageService);
  }

  /** Stops the replay runner (a replay under way is interrupted). */
  @Override
  public void close() {
    replays.close();
  }

  @Override
  public synchronized Map<String, TimelineId> branches() {
    Map<String, TimelineId> out = new LinkedHashMap<>();
    for (String name : store.list(layout.branches())) {
      TimelineId timeline = timeline(name);
      if (timeline != null) {
        out.put(name, timeline);
      }
    }
    return out;
  }

  /**
   * The timeline of a branch; every connection asks, so a name read is kept for a few seconds
   * (changes made here are seen at once; another process's within that time).
   */
  @Override
  public TimelineId timeline(String branch) {
    if (!branch.matches(NAME)) {
      return null;
    }
    Known known = recent.get(branch);
    if (known != null && System.nanoTime() - known.readAt() < KEEP_NANOS) {
      return known.timeline();
    }
    byte[] id = store.readIfExists(layout.branches() + branch);
    TimelineId timeline = id == null ? null : TimelineId.parse(new String(id, StandardCharsets.UTF_8).strip());
    if (timeline != null) {
      recent.put(branch, new Known(timeline, System.nanoTime()));
    }
    return timeline;
  }

  private record Known(TimelineId timeline, long readAt) {}

  /** The timeline of a branch, created (with its first index, no ancestor) if there is no such branch. */
  static TimelineId ensure(ObjectStore store, StorageLayout layout, String branch) {
    byte[] id = store.readIfExists(layout.branches() + branch);
    if (id != null) {
      return TimelineId.parse(new String(id, StandardCharsets.UTF_8).strip());
    }
    TimelineId timeline = TimelineId.generate();
    store.write(layout.index(timeline, 1), TimelineIndex.created(timeline, null, Instant.now()).toJson());
    store.write(layout.branches() + branch, timeline.toString().getBytes(StandardCharsets.UTF_8));
    return timeline;
  }

  @Override
  public StorageBytes storage(TimelineId timeline) {
    return storage(newest(store, layout, timeline));
  }

  /** The bytes an index lists: layers and archived WAL (none without an index). */
  private static StorageBytes storage(TimelineIndex index) {
    if (index == null) {
      return new StorageBytes(0, 0);
    }
    long layers = index.layers().stream().mapToLong(LayerDescriptor::sizeBytes).sum();
    long archived = index.walArchive().stream().mapToLong(TimelineIndex.ArchiveFile::sizeBytes).sum();
    return new StorageBytes(layers, archived);
  }

  @Override
  public synchronized List<Branch> list() {
    Map<String, TimelineId> all = branches();
    Map<TimelineId, String> names = new HashMap<>();
    all.forEach((name, timeline) -> names.put(timeline, name));
    Map<String, Branch> byName = new LinkedHashMap<>();
    for (Map.Entry<String, TimelineId> b : all.entrySet()) {
      TimelineIndex first = index(b.getValue(), TimelineIndex.fileName(1));
      TimelineIndex newest = newest(store, layout, b.getValue());
      TimelineIndex.Ancestor ancestor = first.ancestor();
      byName.put(b.getKey(), new Branch(b.getKey(), b.getValue(),
          ancestor == null ? null : names.getOrDefault(ancestor.timeline(), ancestor.timeline().toString()),
          first.startLsn(), Lsn.max(first.startLsn(), newest.retainedFromLsn()), first.createdAt(),
          storage(newest)));
    }
    // Parents before children: a walk from the roots.
    List<Branch> ordered = new ArrayList<>();
    Deque<Branch> todo = new ArrayDeque<>();
    byName.values().stream().filter(b -> b.parent() == null || !byName.containsKey(b.parent())).forEach(todo::add);
    while (!todo.isEmpty()) {
      Branch b = todo.poll();
      ordered.add(b);
      byName.values().stream().filter(c -> b.name().equals(c.parent())).forEach(todo::addFirst);
    }
    return ordered;
  }

  @Override
  public synchronized Branch create(String name, String parent, Long lsn, Instant time) {
    checkNew(name);
    TimelineId from = existing(parent);
    long at = pointIn(parent, lsn, time, true);
    TimelineId timeline = TimelineId.generate();
    Instant created = Instant.now();
    store.write(layout.index(timeline, 1),
        TimelineIndex.created(timeline, new TimelineIndex.Ancestor(from, at), created).toJson());
    store.write(layout.branches() + name, timeline.toString().getBytes(StandardCharsets.UTF_8));
    recent.remove(name);
    return new Branch(name, timeline, parent, at, at, created, new StorageBytes(0, 0));
  }

  /** Refuses a name that is not one, or that a branch has already. */
  void checkNew(String name) {
    if (!name.matches(NAME)) {
      throw new PgException(SqlState.INVALID_PARAMETER_VALUE, "a branch name is 1 to 63 letters, digits, '_', '.' "
          + "or '-', starting with a letter or digit, not \"" + name + "\"");
    }
    if (timeline(name) != null) {
      throw new PgException("42P04", "branch \"" + name + "\" already exists");
    }
  }

  /**
   * An LSN in {@code branch}'s history: {@code lsn}, or its last commit at or before {@code time},
   * or (both null) its last flushed LSN, so that every commit acknowledged before this call is
   * included. Refused outside the branch's own log (before its start, after its last flush) and,
   * when {@code retained}, before what garbage collection kept (a replay reads the archive, which
   * holds it all).
   */
  long pointIn(String branch, Long lsn, Instant time, boolean retained) {
    TimelineId timeline = existing(branch);
    TimelineIndex newest = newest(store, layout, timeline);
    long floor = index(timeline, TimelineIndex.fileName(1)).startLsn();
    if (retained && newest != null) {
      floor = Lsn.max(floor, newest.retainedFromLsn());
    }
    long end = Lsn.max(floor, TimelineTail.followFrom(wal, timeline).lastCommittedFlush());
    long at;
    if (lsn != null && time != null) {
      throw new PgException(SqlState.INVALID_PARAMETER_VALUE, "give the point as an LSN or as a time, not both");
    } else if (lsn != null) {
      at = lsn;
    } else if (time != null) {
      at = lsnAt(branch, time);
    } else {
      at = end;
    }
    if (Lsn.compare(at, end) > 0 || Lsn.compare(at, floor) < 0) {
      throw new PgException(SqlState.INVALID_PARAMETER_VALUE, "LSN " + Lsn.format(at) + " is not in the history of "
          + "branch \"" + branch + "\" (" + Lsn.format(floor) + " to " + Lsn.format(end) + ")");
    }
    return at;
  }

  /** Names an existing timeline (a replay's) as a new branch. */
  synchronized void name(String name, TimelineId timeline) {
    checkNew(name);
    store.write(layout.branches() + name, timeline.toString().getBytes(StandardCharsets.UTF_8));
    recent.remove(name);
  }

  @Override
  public Replay replay(String branch, Long lsn, Instant time, String into, boolean verify, String flink) {
    return replays.start(branch, lsn, time, into, verify, flink);
  }

  @Override
  public Replay replay(String id) {
    return replays.status(id);
  }

  @Override
  public List<Replay> replays() {
    return replays.all();
  }

  @Override
  public synchronized List<String> delete(String name, boolean cascade) {
    existing(name);
    List<Branch> all = list();
    List<String> doomed = new ArrayList<>();
    collect(name, all, doomed);
    if (doomed.size() > 1 && !cascade) {
      throw new PgException("2BP01", "cannot delete branch \"" + name + "\" because other branches depend on it",
          "Branches " + String.join(", ", doomed.subList(1, doomed.size())) + " branch from it: delete them first, "
          + "or delete with --cascade.", false);
    }
    for (int i = doomed.size() - 1; i >= 0; i--) {
      store.delete(layout.branches() + doomed.get(i));
      recent.remove(doomed.get(i));
    }
    return doomed;
  }

  private static void collect(String name, List<Branch> all, List<String> into) {
    into.add(name);
    for (Branch b : all) {
      if (name.equals(b.parent())) {
        collect(b.name(), all, into);
      }
    }
  }

  @Override
  public synchronized Branch restore(String name, Instant time) {
    TimelineId old = existing(name);
    long at = pointIn(name, null, time, true);
    String backup = name + "-before-restore-" + STAMP.format(Instant.now());
    store.write(layout.branches() + backup, old.toString().getBytes(StandardCharsets.UTF_8));
    TimelineId timeline = TimelineId.generate();
    store.write(layout.index(timeline, 1),
        TimelineIndex.created(timeline, new TimelineIndex.Ancestor(old, at), Instant.now()).toJson());
    store.replace(layout.branches() + name, timeline.toString().getBytes(StandardCharsets.UTF_8));
    recent.remove(name);
    return list().stream().filter(b -> b.name().equals(backup)).findFirst().orElseThrow();
  }

  @Override
  public long lsnAt(String branch, Instant time) {
    TimelineId timeline = existing(branch);
    try (PageServiceClient client = pageService.apply(timeline)) {
      return client.lsnAt(time);
    } catch (PageServiceClient.BeforeHistory e) {
      // The page service knows the commits the log's tail holds; older ones are in the WAL archive.
      try {
        return ArchiveClock.lsnAt(layout, timeline, time).orElseThrow(() -> new PgException(
            SqlState.INVALID_PARAMETER_VALUE, time + " is before the retained history of branch \"" + branch
            + "\": no commit at or before it, in Kafka or in the WAL archive"));
      } catch (java.io.IOException io) {
        throw new PgException("58030", "could not read the WAL archive of branch \"" + branch + "\": "
            + io.getMessage());
      }
    } catch (IllegalArgumentException e) {
      throw new PgException(SqlState.INVALID_PARAMETER_VALUE, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PgException(SqlState.QUERY_CANCELED, "interrupted");
    }
  }

  TimelineId existing(String branch) {
    TimelineId timeline = timeline(branch);
    if (timeline == null) {
      throw new PgException(SqlState.INVALID_CATALOG_NAME, "branch \"" + branch + "\" does not exist");
    }
    return timeline;
  }

  /** The timeline's newest index, or null if it has none. */
  static TimelineIndex newest(ObjectStore store, StorageLayout layout, TimelineId timeline) {
    String newest = store.list(layout.indexDirectory(timeline)).stream().filter(n -> n.endsWith(".json"))
        .max(String::compareTo).orElse(null);
    if (newest == null) {
      return null;
    }
    String path = layout.indexDirectory(timeline) + newest;
    byte[] json = store.readIfExists(path);
    return json == null ? null : TimelineIndex.fromJson(path, json);
  }

  TimelineIndex index(TimelineId timeline, String fileName) {
    String path = layout.indexDirectory(timeline) + fileName;
    byte[] json = store.readIfExists(path);
    if (json == null) {
      throw new PgException("58030", "timeline " + timeline + " has no index " + fileName);
    }
    return TimelineIndex.fromJson(path, json);
  }
}
