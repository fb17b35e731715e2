package dev.folio.compute.sql;

import dev.folio.compute.storage.BufferCache;
import dev.folio.compute.storage.Transactions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.Semaphore;

/**
 * What the sessions of one compute share: its pages, its transactions, its catalog, its scan
 * counters ({@code folio_compute_scans_total} by access path), and the writer's turn. Until row locks exist, one transaction at a time may write: the first write of a
 * transaction waits for the turn and it keeps it until it commits or aborts. That rules out lost
 * updates and duplicate keys between concurrent writers; readers never wait.
 */
public record Database(BufferCache pages, Transactions transactions, Catalog catalog, Scans scans,
    Semaphore writerTurn) {
  /** How many table scans went through an index, and how many read the whole heap. */
  public record Scans(Counter index, Counter sequential) {}

  public static Database open(BufferCache pages, Transactions transactions, MeterRegistry meters) {
    Scans scans = new Scans(
        Counter.builder("folio_compute_scans").tag("access", "index").description("Table scans through an index")
            .register(meters),
        Counter.builder("folio_compute_scans").tag("access", "sequential").description("Table scans of the whole heap")
            .register(meters));
    return new Database(pages, transactions, new Catalog(pages, transactions), scans, new Semaphore(1, true));
  }
}
