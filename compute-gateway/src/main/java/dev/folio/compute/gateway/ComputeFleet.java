package dev.folio.compute.gateway;

import dev.folio.compute.ComputeNode;
import dev.folio.compute.fleet.ComputeDirectory;
import dev.folio.compute.fleet.ComputeInfo;
import dev.folio.compute.fleet.ComputeLauncher;
import dev.folio.compute.fleet.ComputeSpec;
import dev.folio.compute.fleet.Role;
import dev.folio.compute.fleet.RunningCompute;
import dev.folio.compute.pgwire.PgException;
import dev.folio.compute.pgwire.SqlState;
import dev.folio.format.TimelineId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The computes of one tenant and their lives: the registry behind {@code folio.compute_nodes},
 * {@code ./folio compute} and the management API. A branch has one primary, and any number of hot
 * replicas and static computes. A branch's primary is started when a session for the branch
 * arrives and none is running, counts its sessions, turns idle when the last one
 * ends, and is suspended (closed, its memory freed) after {@code suspendAfter} idle; the next
 * session wakes it under the same id. Suspending loses nothing: every acknowledged commit is in
 * the log before it is acknowledged. A compute that reports a problem (fenced, its writer failed)
 * is replaced on the next connection. Read-only sessions go to the branch's hot replicas, spread
 * by their sessions; the gateway adds a replica when each has {@code sessionsPerReplica}, and stops
 * the ones it added once they have been idle for {@code suspendAfter}.
 *
 * <p>Metering: a compute's seconds run from its start to its suspension or stop (starting, active
 * and idle alike, since it holds its memory all that time), as {@code folio_compute_seconds_total}
 * by compute and branch, and the seconds it had sessions open as {@code
 * folio_compute_active_seconds_total}; storage as {@code folio_storage_bytes} by branch, timeline and kind
 * (layers, archived WAL), measured every 30 seconds.
 */
public final class ComputeFleet implements ComputeDirectory, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ComputeFleet.class);
  /** How long a session waits for its compute to start before it is refused. */
  static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  enum State { STARTING, ACTIVE, IDLE, SUSPENDED }

  private final BranchCatalog branches;
  private final ComputeLauncher launcher;
  private final Duration suspendAfter;
  private final int sessionsPerReplica;
  private volatile String forwarding;
  private final MeterRegistry meters;
  private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
  private final ExecutorService lifecycle = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "folio-compute-lifecycle");
    t.setDaemon(true);
    return t;
  });
  private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "folio-compute-reaper");
    t.setDaemon(true);
    return t;
  });
  private final Timer startTime;
  private final MultiGauge storageBytes;
  private final Counter starts;
  private boolean closed;

  /** One compute as the registry keeps it, running or suspended. Guarded by the fleet. */
  private final class Endpoint {
    final String id;
    final String branch;
    final TimelineId timeline;
    final Role role;
    /** A static compute's LSN, or the time whose last commit it reads at; 0 and null for the others. */
    final long atLsn;
    final Instant atTime;
    /** Started by the gateway for read-only sessions: stopped, not suspended, when idle. */
    final boolean elastic;
    State state = State.SUSPENDED;
    Instant startedAt;
    Instant lastActive;
    int sessions;
    /** The compute while it runs or starts; null while suspended. */
    CompletableFuture<RunningCompute> running;
    /** Done once the previous incarnation has closed: a new one starts after it. */
    CompletableFuture<Void> stopped = CompletableFuture.completedFuture(null);
    long runningSince;
    long meteredNanos;
    /** Since when it has had sessions (while it has any), and the nanoseconds it had them before. */
    long activeSince;
    long activeNanos;
    Meter seconds;
    Meter activeSeconds;

    Endpoint(String id, String branch, TimelineId timeline, Role role, long atLsn, Instant atTime, boolean elastic) {
      this.id = id;
      this.branch = branch;
      this.timeline = timeline;
      this.role = role;
      this.atLsn = atLsn;
      this.atTime = atTime;
      this.elastic = elastic;
    }

    double computeSeconds() {
      long nanos = meteredNanos + (running != null ? System.nanoTime() - runningSince : 0);
      return nanos / 1e9;
    }

    double activeSeconds() {
      return (activeNanos + (sessions > 0 ? System.nanoTime() - activeSince : 0)) / 1e9;
    }

    void sessionOpened() {
      if (sessions++ == 0) {
        activeSince = System.nanoTime();
      }
    }

    /** The compute if it is up, else null. */
    RunningCompute up() {
      return running != null && running.isDone() && !running.isCompletedExceptionally() ? running.join() : null;
    }
  }

  /** A session's hold on its compute, from connect to close: it keeps the compute from suspending. */
  public final class Lease implements AutoCloseable {
    private final Endpoint endpoint;
    private final RunningCompute compute;
    private boolean released;

    private Lease(Endpoint endpoint, RunningCompute compute) {
      this.endpoint = endpoint;
      this.compute = compute;
    }

    public String computeId() {
      return endpoint.id;
    }

    public String host() {
      return compute.host();
    }

    public int port() {
      return compute.port();
    }

    /** The compute itself, to hand a connection to when it runs in this JVM. */
    RunningCompute compute() {
      return compute;
    }

    @Override
    public void close() {
      synchronized (ComputeFleet.this) {
        if (!released) {
          released = true;
          release(endpoint);
        }
      }
    }
  }

  /**
   * @param suspendAfter how long a compute stays up with no session
   * @param sessionsPerReplica read-only sessions per hot replica above which another is started
   * @param meters where the fleet's meters go: starts, start time, sessions, compute seconds
   */
  public ComputeFleet(BranchCatalog branches, ComputeLauncher launcher, Duration suspendAfter, int sessionsPerReplica,
      MeterRegistry meters) {
    if (suspendAfter.isNegative() || suspendAfter.isZero()) {
      throw new IllegalArgumentException("suspendAfter must be positive, not " + suspendAfter);
    }
    if (sessionsPerReplica < 1) {
      throw new IllegalArgumentException("sessionsPerReplica must be at least 1, not " + sessionsPerReplica);
    }
    this.sessionsPerReplica = sessionsPerReplica;
    this.branches = branches;
    this.launcher = launcher;
    this.suspendAfter = suspendAfter;
    this.meters = meters;
    this.startTime = Timer.builder("folio_gateway_compute_start").description("From asking for a compute to its serving")
        .register(meters);
    this.starts = Counter.builder("folio_gateway_compute_starts").description("Computes started (cold starts)")
        .register(meters);
    Gauge.builder("folio_gateway_sessions", this, ComputeFleet::sessions).description("Sessions open through the gateway")
        .register(meters);
    long tick = Math.max(50, Math.min(1000, suspendAfter.toMillis() / 4));
    reaper.scheduleWithFixedDelay(this::suspendIdle, tick, tick, TimeUnit.MILLISECONDS);
    storageBytes = MultiGauge.builder("folio_storage_bytes")
        .description("Bytes a branch's timeline keeps in storage: its layers, and its WAL archived for replay")
        .baseUnit("bytes").register(meters);
    reaper.scheduleWithFixedDelay(this::measureStorage, 0, STORAGE_EVERY.toSeconds(), TimeUnit.SECONDS);
  }

  /** How often storage is measured for the metrics: it lists and reads objects. */
  private static final Duration STORAGE_EVERY = Duration.ofSeconds(30);

  private void measureStorage() {
    try {
      List<MultiGauge.Row<?>> rows = new ArrayList<>();
      for (Usage.Storage s : usage().storage()) {
        Tags tags = Tags.of("branch", s.branch(), "timeline", s.timeline());
        rows.add(MultiGauge.Row.of(tags.and("kind", "layers"), s.layerBytes()));
        rows.add(MultiGauge.Row.of(tags.and("kind", "archived_wal"), s.archivedWalBytes()));
      }
      storageBytes.register(rows, true);
    } catch (RuntimeException e) {
      LOG.warn("Could not measure storage for the metrics: {}", e.toString());
    }
  }

  /**
   * Holds a compute of a branch for a session: the primary, started (or woken) if it is not
   * running; or, for a read-only session, the branch's hot replica with the fewest sessions, and a
   * new one when each has {@code sessionsPerReplica} already (or there is none).
   *
   * @throws PgException 3D000 with the branch list in the hint when there is no such branch
   */
  public CompletableFuture<Lease> connect(String branch, boolean readOnly) {
    TimelineId timeline = timelineOf(branch);
    Endpoint e;
    CompletableFuture<RunningCompute> running;
    RunningCompute checked = null;
    while (true) {
      synchronized (this) {
        e = readOnly ? replicaFor(branch, timeline) : primary(branch, timeline);
        RunningCompute current = e.up();
        if (current == null || current == checked) {
          e.sessionOpened();
          e.lastActive = Instant.now();
          running = ensureRunning(e);
          if (running.isDone() && !running.isCompletedExceptionally()) {
            e.state = State.ACTIVE;
          }
          break;
        }
        checked = current;
      }
      replaceIfBroken(e, checked);
    }
    Endpoint endpoint = e;
    return running.handle((compute, failure) -> {
      if (failure != null) {
        synchronized (this) {
          release(endpoint);
        }
        throw new CompletionException(new PgException(SqlState.CANNOT_CONNECT_NOW, "the compute of branch \""
            + branch + "\" could not start: " + rootMessage(failure), null, true));
      }
      return new Lease(endpoint, compute);
    });
  }

  /**
   * Starts a compute without a session and returns once it serves: the branch's primary (woken if
   * suspended), or a new hot replica, or a new static compute at {@code atLsn} or at the last
   * commit at or before {@code atTime}.
   */
  public ComputeInfo start(String branch, Role role, long atLsn, Instant atTime) {
    TimelineId timeline = timelineOf(branch);
    boolean fixed = atLsn != 0 || atTime != null;
    if ((role == Role.STATIC) != fixed || atLsn != 0 && atTime != null) {
      throw new PgException(SqlState.INVALID_PARAMETER_VALUE, role == Role.STATIC
          ? "a static compute needs the LSN or the time it reads at (one of them)"
          : "only a static compute reads at a fixed LSN or time");
    }
    Endpoint e;
    CompletableFuture<RunningCompute> running;
    if (role == Role.PRIMARY) {
      RunningCompute checked = null;
      while (true) {
        synchronized (this) {
          e = primary(branch, timeline);
          RunningCompute current = e.up();
          if (current == null || current == checked) {
            e.lastActive = Instant.now();
            running = ensureRunning(e);
            break;
          }
          checked = current;
        }
        replaceIfBroken(e, checked);
      }
    } else {
      synchronized (this) {
        e = register(branch, timeline, role, atLsn, atTime, false);
        e.lastActive = Instant.now();
        running = ensureRunning(e);
      }
    }
    try {
      await(running, branch);
    } catch (PgException failed) {
      if (role != Role.PRIMARY) {
        synchronized (this) {
          forget(e);
        }
      }
      throw failed;
    }
    return info(e);
  }

  /** Suspends a compute now (sessions still open are closed). */
  public ComputeInfo suspend(String id) {
    return end(id, false);
  }

  /** Stops a compute and takes it out of the registry. */
  public ComputeInfo stop(String id) {
    return end(id, true);
  }

  private ComputeInfo end(String id, boolean remove) {
    Endpoint e;
    synchronized (this) {
      e = endpoint(id);
      if (remove) {
        forget(e);
      } else {
        suspendNow(e);
      }
    }
    e.stopped.join();
    return info(e);
  }

  /** Stops every compute of a branch and takes them out of the registry (the branch is gone, or rewound). */
  public void stopBranch(String branch) {
    List<Endpoint> gone = new ArrayList<>();
    synchronized (this) {
      for (Endpoint e : List.copyOf(endpoints.values())) {
        if (e.branch.equals(branch)) {
          forget(e);
          gone.add(e);
        }
      }
    }
    gone.forEach(e -> e.stopped.join());
  }

  /** Sends a CancelRequest to every running compute: only the one that gave out the key acts on it. */
  public void cancel(int processId, int secretKey) {
    List<RunningCompute> up = new ArrayList<>();
    synchronized (this) {
      for (Endpoint e : endpoints.values()) {
        RunningCompute c = e.up();
        if (c != null) {
          up.add(c);
        }
      }
    }
    lifecycle.execute(() -> {
      ByteBuffer request = ByteBuffer.allocate(16).putInt(16).putInt(80877102).putInt(processId).putInt(secretKey);
      for (RunningCompute c : up) {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(c.host(), c.port()), 5_000);
          OutputStream out = s.getOutputStream();
          out.write(request.array());
          out.flush();
        } catch (IOException ex) {
          LOG.debug("Could not pass a cancel request to {}:{}: {}", c.host(), c.port(), ex.toString());
        }
      }
    });
  }

  @Override
  public List<ComputeInfo> computes() {
    List<Endpoint> all;
    synchronized (this) {
      all = List.copyOf(endpoints.values());
    }
    List<ComputeInfo> out = new ArrayList<>();
    for (Endpoint e : all) {
      out.add(info(e));
    }
    return out;
  }

  @Override
  public List<String> branches() {
    return List.copyOf(branches.branches().keySet());
  }

  /**
   * Where the computes that only read send their writes: the gateway's own PostgreSQL address
   * (which wakes a suspended primary); null turns forwarding off.
   */
  public void forwardWritesTo(String hostAndPort) {
    this.forwarding = hostAndPort;
  }

  /** The gateway's address writes are forwarded to, or null when they are not. */
  public String forwardingAddress() {
    return forwarding;
  }

  /** What a compute of this endpoint sees of the registry, and where its writes go. */
  private ComputeDirectory directoryOf(Endpoint e) {
    return new ComputeDirectory() {
      @Override
      public List<ComputeInfo> computes() {
        return ComputeFleet.this.computes();
      }

      @Override
      public List<String> branches() {
        return ComputeFleet.this.branches();
      }

      @Override
      public String primaryAddress() {
        String to = forwarding;
        return to == null || e.role == Role.PRIMARY ? null : to + "/" + e.branch;
      }
    };
  }

  /** Compute seconds by compute and by branch, and storage bytes by branch. */
  public Usage usage() {
    List<Usage.Compute> computes = new ArrayList<>();
    Map<String, Double> byBranch = new TreeMap<>();
    Map<String, Double> activeByBranch = new TreeMap<>();
    synchronized (this) {
      for (Endpoint e : endpoints.values()) {
        double s = e.computeSeconds();
        double active = e.activeSeconds();
        computes.add(new Usage.Compute(e.id, e.branch, s, active));
        byBranch.merge(e.branch, s, Double::sum);
        activeByBranch.merge(e.branch, active, Double::sum);
      }
    }
    List<Usage.Storage> storage = new ArrayList<>();
    for (Map.Entry<String, TimelineId> b : new TreeMap<>(branches.branches()).entrySet()) {
      BranchCatalog.StorageBytes bytes = branches.storage(b.getValue());
      storage.add(new Usage.Storage(b.getKey(), b.getValue().toString(), bytes.layers(), bytes.archivedWal()));
    }
    return new Usage(computes, byBranch, activeByBranch, storage);
  }

  /**
   * What the tenant has used: of each compute and branch, the seconds computes ran (from start to
   * suspension) and the seconds they had sessions open (active); storage of each timeline.
   */
  public record Usage(List<Compute> computes, Map<String, Double> computeSecondsByBranch,
      Map<String, Double> activeSecondsByBranch, List<Storage> storage) {
    public record Compute(String id, String branch, double computeSeconds, double activeSeconds) {}

    public record Storage(String branch, String timeline, long layerBytes, long archivedWalBytes) {}
  }

  private synchronized int sessions() {
    int n = 0;
    for (Endpoint e : endpoints.values()) {
      n += e.sessions;
    }
    return n;
  }

  private TimelineId timelineOf(String branch) {
    TimelineId timeline = branches.timeline(branch);
    if (timeline == null) {
      Map<String, TimelineId> all = branches.branches();
      throw new PgException(SqlState.INVALID_CATALOG_NAME, "database \"" + branch + "\" does not exist",
          all.isEmpty() ? "There are no branches yet." : "Branches: " + String.join(", ", new TreeMap<>(all).keySet())
              + ".", true);
    }
    return timeline;
  }

  private Endpoint primary(String branch, TimelineId timeline) {
    for (Endpoint e : endpoints.values()) {
      if (e.branch.equals(branch) && e.role == Role.PRIMARY) {
        return e;
      }
    }
    return register(branch, timeline, Role.PRIMARY, 0, null, false);
  }

  /** The running (or starting) hot replica of the branch with the fewest sessions, or a new elastic one. */
  private Endpoint replicaFor(String branch, TimelineId timeline) {
    Endpoint least = null;
    for (Endpoint e : endpoints.values()) {
      if (e.branch.equals(branch) && e.role == Role.REPLICA && e.running != null
          && (least == null || e.sessions < least.sessions)) {
        least = e;
      }
    }
    if (least != null && least.sessions < sessionsPerReplica) {
      return least;
    }
    return register(branch, timeline, Role.REPLICA, 0, null, true);
  }

  private Endpoint register(String branch, TimelineId timeline, Role role, long atLsn, Instant atTime,
      boolean elastic) {
    if (closed) {
      throw new PgException(SqlState.CANNOT_CONNECT_NOW, "the gateway is shutting down", null, true);
    }
    Endpoint e = new Endpoint(ComputeNode.newId(), branch, timeline, role, atLsn, atTime, elastic);
    e.seconds = FunctionCounter.builder("folio_compute_seconds", e, x -> {
      synchronized (this) {
        return x.computeSeconds();
      }
    }).tag("compute", e.id).tag("branch", branch).tag("role", role.label()).description("Seconds a compute has run")
        .register(meters);
    e.activeSeconds = FunctionCounter.builder("folio_compute_active_seconds", e, x -> {
      synchronized (this) {
        return x.activeSeconds();
      }
    }).tag("compute", e.id).tag("branch", branch).tag("role", role.label())
        .description("Seconds a compute has had sessions open").register(meters);
    endpoints.put(e.id, e);
    return e;
  }

  /** Under the lock: the compute closes, and leaves the registry and the metrics. */
  private void forget(Endpoint e) {
    suspendNow(e);
    endpoints.remove(e.id);
    meters.remove(e.seconds);
    meters.remove(e.activeSeconds);
  }

  private Endpoint endpoint(String id) {
    Endpoint e = endpoints.get(id);
    if (e == null) {
      throw new PgException(SqlState.UNDEFINED_OBJECT, "there is no compute " + id);
    }
    return e;
  }

  /**
   * A compute that reports a problem (fenced, its writer failed, its process gone) is closed, to be
   * started again. Its health is asked without the lock (for a process compute it is an HTTP call);
   * the caller then chooses again, and goes on with a compute it has checked or a new one.
   */
  private void replaceIfBroken(Endpoint e, RunningCompute current) {
    String problem = current.problem();
    if (problem != null) {
      synchronized (this) {
        if (e.up() == current) {
          LOG.warn("Compute {} of branch {} cannot serve ({}); starting it again", e.id, e.branch, problem);
          suspendNow(e);
        }
      }
    }
  }

  /** The compute of an endpoint, starting it if it is suspended. Under the lock. */
  private CompletableFuture<RunningCompute> ensureRunning(Endpoint e) {
    if (e.running != null) {
      return e.running;
    }
    e.state = State.STARTING;
    e.startedAt = Instant.now();
    e.runningSince = System.nanoTime();
    long asked = System.nanoTime();
    CompletableFuture<RunningCompute> running = e.stopped.thenApplyAsync(v -> {
      try {
        return launcher.launch(new ComputeSpec(e.id, e.branch, e.timeline, e.role, e.atLsn, e.atTime),
            directoryOf(e));
      } catch (Exception ex) {
        throw new CompletionException(ex);
      }
    }, lifecycle);
    e.running = running;
    running.whenComplete((compute, failure) -> {
      synchronized (this) {
        if (e.running != running) {
          return;
        }
        if (failure != null) {
          LOG.error("Compute {} of branch {} could not start", e.id, e.branch, failure);
          e.meteredNanos += System.nanoTime() - e.runningSince;
          e.running = null;
          e.state = State.SUSPENDED;
          if (e.elastic) {
            // A replica the gateway added for load and could not start: the next session adds another.
            endpoints.remove(e.id);
            meters.remove(e.seconds);
            meters.remove(e.activeSeconds);
          }
          return;
        }
        long took = System.nanoTime() - asked;
        starts.increment();
        startTime.record(took, TimeUnit.NANOSECONDS);
        e.state = e.sessions > 0 ? State.ACTIVE : State.IDLE;
        LOG.info("Compute {} of branch {} serves on {}:{}, started in {} ms", e.id, e.branch, compute.host(),
            compute.port(), took / 1_000_000);
      }
    });
    return running;
  }

  /** Under the lock: marks the endpoint suspended; its compute closes on the lifecycle threads. */
  private void suspendNow(Endpoint e) {
    CompletableFuture<RunningCompute> running = e.running;
    if (running == null) {
      return;
    }
    e.meteredNanos += System.nanoTime() - e.runningSince;
    e.running = null;
    e.state = State.SUSPENDED;
    e.stopped = running.handleAsync((compute, failure) -> {
      if (compute != null) {
        compute.close();
        LOG.info("Compute {} of branch {} suspended", e.id, e.branch);
      }
      return null;
    }, lifecycle);
  }

  private void release(Endpoint e) {
    if (--e.sessions == 0) {
      e.activeNanos += System.nanoTime() - e.activeSince;
    }
    e.lastActive = Instant.now();
    if (e.sessions == 0 && e.state == State.ACTIVE) {
      e.state = State.IDLE;
    }
  }

  /** Computes idle for {@code suspendAfter} are suspended; the replicas the gateway added for load are stopped. */
  private synchronized void suspendIdle() {
    Instant now = Instant.now();
    for (Endpoint e : List.copyOf(endpoints.values())) {
      if (e.state == State.IDLE && e.sessions == 0
          && Duration.between(e.lastActive, now).compareTo(suspendAfter) >= 0) {
        if (e.elastic) {
          forget(e);
        } else {
          suspendNow(e);
        }
      }
    }
  }

  /** The endpoint as the registry shows it: its fields as they were together, and what its compute says now. */
  private ComputeInfo info(Endpoint e) {
    // The registry's fields under the lock; what the compute reports (an HTTP call for a process
    // compute) outside it, so that a slow compute holds up no connection.
    RunningCompute c;
    RunningCompute primary = null;
    String state;
    Instant startedAt;
    Instant lastActive;
    int sessions;
    double seconds;
    synchronized (this) {
      c = e.up();
      if (c != null && e.role == Role.REPLICA) {
        primary = endpoints.values().stream().filter(p -> p.branch.equals(e.branch) && p.role == Role.PRIMARY)
            .map(Endpoint::up).filter(java.util.Objects::nonNull).findFirst().orElse(null);
      }
      state = e.state.name().toLowerCase();
      startedAt = e.startedAt;
      lastActive = e.lastActive;
      sessions = e.sessions;
      seconds = e.computeSeconds();
    }
    long lsn = c == null ? 0 : c.lsn();
    long lag = primary == null ? 0 : Math.max(0, primary.lsn() - lsn);
    return new ComputeInfo(e.id, e.branch, e.timeline.toString(), e.role.label(), state, startedAt, lastActive, lsn,
        lag, c == null ? 0 : c.bufferCacheBytes(), c == null ? 0 : c.hitRatio(),
        c == null ? null : c.host() + ":" + c.port(), sessions, seconds);
  }

  private static void await(CompletableFuture<RunningCompute> running, String branch) {
    try {
      running.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PgException(SqlState.QUERY_CANCELED, "interrupted while the compute of branch \"" + branch
          + "\" started");
    } catch (Exception e) {
      throw new PgException(SqlState.CANNOT_CONNECT_NOW, "the compute of branch \"" + branch + "\" could not start: "
          + rootMessage(e), null, true);
    }
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null && (t instanceof CompletionException || t.getMessage() == null
        || t instanceof java.util.concurrent.ExecutionException)) {
      t = t.getCause();
    }
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }

  /** Stops every compute and waits for them to close. */
  @Override
  public void close() {
    List<CompletableFuture<Void>> closing = new ArrayList<>();
    synchronized (this) {
      closed = true;
      for (Endpoint e : endpoints.values()) {
        suspendNow(e);
        closing.add(e.stopped);
      }
    }
    reaper.shutdownNow();
    closing.forEach(CompletableFuture::join);
    lifecycle.shutdown();
  }
}
