package dev.folio.compute.sql;

import dev.folio.compute.fleet.ComputeDirectory;
import dev.folio.compute.storage.BtreeIndex;
import dev.folio.compute.storage.BufferCache;
import dev.folio.compute.storage.HeapRelation;
import dev.folio.compute.storage.Transactions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * What the sessions of one compute share: its pages, its transactions, its catalog, its scan
 * counters ({@code folio_compute_scans_total} by access path, {@code folio_compute_plans_compiled_total};
 * {@code folio_compute_lock_waiters}), and the catalog lock: a transaction
 * that changes rows holds it shared, one that changes the catalog (DDL) exclusive, each until it
 * ends, and each on the thread of its session. Readers never wait.
 */
public record Database(BufferCache pages, Transactions transactions, Catalog catalog, Scans scans,
    Counter plansCompiled, ReadWriteLock catalogLock, ComputeDirectory computes) {
  /** The heap relation of a table. */
  public HeapRelation heap(TableDef table) {
    return new HeapRelation(pages, transactions, Catalog.DATABASE, table.relation());
  }

  /** The B-tree of an index. */
  public BtreeIndex index(TableDef.IndexDef index) {
    return new BtreeIndex(pages, Catalog.DATABASE, index.relation());
  }

  /**
   * The database as it was at {@code lsn}, read-only: a small cache of its own at that LSN and
   * transactions that see what had committed by then (a session's {@code SET folio.as_of}).
   */
  public Database at(long lsn) {
    BufferCache frozen = pages.frozenAt(lsn, AS_OF_CACHE_PAGES);
    return open(frozen, Transactions.readOnly(frozen, () -> lsn), new SimpleMeterRegistry(), computes);
  }

  /** A time-travelling session's cache: 8 MiB. */
  private static final int AS_OF_CACHE_PAGES = 1024;

  /** How many table scans went through an index, and how many read the whole heap. */
  public record Scans(Counter index, Counter sequential) {}

  public static Database open(BufferCache pages, Transactions transactions, MeterRegistry meters) {
    return open(pages, transactions, meters, ComputeDirectory.NONE);
  }

  /** {@code computes}: the computes {@code folio.compute_nodes} lists. */
  public static Database open(BufferCache pages, Transactions transactions, MeterRegistry meters,
      ComputeDirectory computes) {
    Scans scans = new Scans(
        Counter.builder("folio_compute_scans").tag("access", "index").description("Table scans through an index")
            .register(meters),
        Counter.builder("folio_compute_scans").tag("access", "sequential").description("Table scans of the whole heap")
            .register(meters));
    Gauge.builder("folio_compute_lock_waiters", transactions, Transactions::waiting)
        .description("Transactions waiting for another to end (a row lock, a key)").register(meters);
    Counter compiled = Counter.builder("folio_compute_plans_compiled").description("Query plans compiled (a cache miss)")
        .register(meters);
    return new Database(pages, transactions, new Catalog(pages, transactions), scans, compiled,
        new ReentrantReadWriteLock(true), computes);
  }
}
