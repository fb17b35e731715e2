package dev.folio.compute.sql;

import dev.folio.compute.storage.BufferCache;
import dev.folio.compute.storage.Transactions;
import java.util.concurrent.Semaphore;

/**
 * What the sessions of one compute share: its pages, its transactions, its catalog, and the
 * writer's turn. Until row locks exist, one transaction at a time may write: the first write of a
 * transaction waits for the turn and it keeps it until it commits or aborts. That rules out lost
 * updates and duplicate keys between concurrent writers; readers never wait.
 */
public record Database(BufferCache pages, Transactions transactions, Catalog catalog, Semaphore writerTurn) {
  public static Database open(BufferCache pages, Transactions transactions) {
    return new Database(pages, transactions, new Catalog(pages, transactions), new Semaphore(1, true));
  }
}
