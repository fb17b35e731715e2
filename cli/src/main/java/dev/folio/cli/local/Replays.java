package dev.folio.cli.local;

import dev.folio.compute.gateway.BranchManager.Replay;
import dev.folio.compute.pgwire.PgException;
import dev.folio.compute.pgwire.SqlState;
import dev.folio.compute.storage.PageServiceClient;
import dev.folio.flink.local.LocalFlink;
import dev.folio.flink.replay.ReplayException;
import dev.folio.flink.replay.ReplayPlan;
import dev.folio.flink.replay.WalReplayJob;
import dev.folio.flink.submit.JobSubmitter;
import dev.folio.format.Lsn;
import dev.folio.format.TimelineId;
import dev.folio.format.layout.StorageLayout;
import dev.folio.pageservice.storage.ObjectStore;
import dev.folio.wal.writer.WalWriterConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays started through the management API: each runs {@link WalReplayJob} (on a Flink
 * MiniCluster in this process, or submitted to a Flink cluster), then names the new branch, then,
 * if asked, compares its pages with the source branch's ({@link ReplayVerifier}). Progress comes
 * from the job's accumulators: WAL events read of those planned.
 */
final class Replays implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Replays.class);
  private static final int PARALLELISM = 2;

  private final StoredBranches branches;
  private final ObjectStore store;
  private final StorageLayout layout;
  private final LocalFlink.S3 s3;
  private final WalWriterConfig wal;
  private final Function<TimelineId, PageServiceClient> pageService;
  private final Map<String, Replay> replays = new LinkedHashMap<>();
  private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "folio-replays");
    t.setDaemon(true);
    return t;
  });
  private int started;

  Replays(StoredBranches branches, ObjectStore store, StorageLayout layout, LocalFlink.S3 s3, WalWriterConfig wal,
      Function<TimelineId, PageServiceClient> pageService) {
    this.branches = branches;
    this.store = store;
    this.layout = layout;
    this.s3 = s3;
    this.wal = wal;
    this.pageService = pageService;
  }

  /** Checks the request, then runs the replay in the background (one at a time, in order). */
  Replay start(String branch, Long lsn, Instant time, String into, boolean verify, String flink) {
    TimelineId source = branches.existing(branch);
    branches.checkNew(into);
    if (lsn != null && time != null) {
      throw new PgException(SqlState.INVALID_PARAMETER_VALUE, "give the point as an LSN or as a time, not both");
    }
    Long at = time != null ? Long.valueOf(branches.lsnAt(branch, time)) : lsn;
    long target = branches.pointIn(branch, at, null, false);
    Replay replay;
    synchronized (this) {
      String id = "replay-" + ++started;
      replay = new Replay(id, branch, into, target, "planning", 0, 0, 0, 0, verify ? 0L : null, List.of(), null, null,
          Instant.now(), null);
      replays.put(id, replay);
    }
    runner.execute(() -> run(replay, source, verify, flink));
    return replay;
  }

  synchronized Replay status(String id) {
    Replay r = replays.get(id);
    if (r == null) {
      throw new PgException(SqlState.UNDEFINED_OBJECT, "there is no replay \"" + id + "\"");
    }
    return r;
  }

  synchronized List<Replay> all() {
    return new ArrayList<>(replays.values());
  }

  private synchronized Replay update(String id, Function<Replay, Replay> change) {
    Replay next = change.apply(replays.get(id));
    replays.put(id, next);
    return next;
  }

  private void run(Replay replay, TimelineId source, boolean verify, String flink) {
    String id = replay.id();
    try {
      TimelineId into = TimelineId.generate();
      ReplayPlan plan;
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", wal.bootstrapServers()))) {
        plan = ReplayPlan.of(layout, admin, wal.bootstrapServers(), wal.topic().walTopic(), source,
            replay.targetLsn(), into);
      }
      long total = plan.archivedRecords() + plan.kafkaRecords();
      update(id, r -> with(r, "running", 0, total, 0, 0));
      Map<String, Object> result = flink == null ? runHere(id, plan, total) : submit(id, plan, total, flink);
      long pages = number(result, WalReplayJob.PAGES);
      long refused = number(result, WalReplayJob.RECORDS_REFUSED);
      long read = number(result, WalReplayJob.EVENTS_READ);
      update(id, r -> with(r, "naming", read, total, pages, refused));
      branches.name(replay.into(), into);
      if (verify) {
        update(id, r -> with(r, "verifying", read, total, pages, refused));
        ReplayVerifier.Report report;
        try (PageServiceClient reference = pageService.apply(source);
            PageServiceClient rebuilt = pageService.apply(into)) {
          report = ReplayVerifier.compare(store, layout, reference, source, rebuilt, into, replay.targetLsn());
        }
        update(id, r -> new Replay(r.id(), r.branch(), r.into(), r.targetLsn(), r.state(), r.eventsRead(),
            r.eventsTotal(), r.pages(), r.recordsRefused(), report.compared(), report.differences(), null, null,
            r.startedAt(), null));
      }
      update(id, r -> finished(r, "succeeded", null, null));
    } catch (ReplayException e) {
      update(id, r -> finished(r, "failed", e.code(), e.getMessage()));
    } catch (PgException e) {
      update(id, r -> finished(r, "failed", e.sqlState(), e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      update(id, r -> finished(r, "failed", SqlState.QUERY_CANCELED, "interrupted"));
    } catch (Exception e) {
      LOG.error("Replay {} failed", id, e);
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      String why = String.valueOf(root.getMessage());
      update(id, r -> finished(r, "failed", SqlState.INTERNAL_ERROR, why));
    }
  }

  /** On a MiniCluster in this process; progress from the job's accumulators while it runs. */
  private Map<String, Object> runHere(String id, ReplayPlan plan, long total) throws Exception {
    StreamExecutionEnvironment env = LocalFlink.boundedEnvironment(s3, PARALLELISM);
    WalReplayJob.build(env, plan);
    JobClient job = env.executeAsync("folio-wal-replay-" + plan.into());
    var done = job.getJobExecutionResult();
    try {
      while (!done.isDone()) {
        progress(id, total, () -> job.getAccumulators().join());
        Thread.sleep(250);
      }
    } catch (InterruptedException e) {
      // Shutting down: the job, and its MiniCluster with it, stops too.
      job.cancel();
      throw e;
    }
    return done.get().getAllAccumulatorResults();
  }

  /** On a Flink cluster through its REST API: the shaded job jar, entry point {@link WalReplayJob}. */
  private Map<String, Object> submit(String id, ReplayPlan plan, long total, String flink) throws Exception {
    try (JobSubmitter submitter = new JobSubmitter(flink)) {
      Path jar = JobSubmitter.defaultJobJar(Path.of("").toAbsolutePath());
      JobID job = submitter.submit(jar, WalReplayJob.class.getName(), PARALLELISM,
          "--bootstrap-servers", plan.bootstrapServers(), "--storage", layout.root(), "--tenant", layout.tenant(),
          "--topic-prefix", wal.topic().prefix(), "--timeline", plan.source().toString(),
          "--to-lsn", Lsn.format(plan.targetLsn()), "--into", plan.into().toString());
      try {
        while (!submitter.status(job).isGloballyTerminalState()) {
          progress(id, total, () -> submitter.accumulators(job));
          Thread.sleep(500);
        }
      } catch (InterruptedException e) {
        submitter.cancel(job);
        throw e;
      }
      if (submitter.status(job) != JobStatus.FINISHED) {
        throw new ReplayException("REPLAY_FAILED", "the replay job " + job + " ended " + submitter.status(job)
            + " on the Flink cluster at " + flink + " (its log says why)");
      }
      return submitter.accumulators(job);
    }
  }

  private void progress(String id, long total, Supplier<Map<String, Object>> accumulators) {
    try {
      long read = number(accumulators.get(), WalReplayJob.EVENTS_READ);
      update(id, r -> with(r, "running", read, total, r.pages(), r.recordsRefused()));
    } catch (RuntimeException e) {
      LOG.debug("No progress from replay {} yet: {}", id, e.toString());
    }
  }

  private static long number(Map<String, Object> accumulators, String name) {
    Object v = accumulators == null ? null : accumulators.get(name);
    return v instanceof Number n ? n.longValue() : 0;
  }

  private static Replay with(Replay r, String state, long read, long total, long pages, long refused) {
    return new Replay(r.id(), r.branch(), r.into(), r.targetLsn(), state, read, total, pages, refused, r.verified(),
        r.differences(), null, null, r.startedAt(), null);
  }

  private static Replay finished(Replay r, String state, String code, String error) {
    return new Replay(r.id(), r.branch(), r.into(), r.targetLsn(), state, r.eventsRead(), r.eventsTotal(), r.pages(),
        r.recordsRefused(), r.verified(), r.differences(), code, error, r.startedAt(), Instant.now());
  }

  @Override
  public void close() {
    runner.shutdownNow();
  }
}
