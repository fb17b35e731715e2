package dev.folio.compute.sql;

import dev.folio.compute.storage.BufferCache;
import dev.folio.compute.storage.Transactions;

/** What the sessions of one compute share: its pages, its transactions and its catalog. */
public record Database(BufferCache pages, Transactions transactions, Catalog catalog) {
  public static Database open(BufferCache pages, Transactions transactions) {
    return new Database(pages, transactions, new Catalog(pages, transactions));
  }
}
