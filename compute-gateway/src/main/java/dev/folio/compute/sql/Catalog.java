package dev.folio.compute.sql;

import dev.folio.compute.storage.BufferCache;
import dev.folio.compute.storage.HeapRelation;
import dev.folio.compute.storage.Snapshot;
import dev.folio.compute.storage.Transactions;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tables of the database, stored like any table: one row per table in a heap relation with a
 * fixed number ({@link #RELATION}, as PostgreSQL's pg_class is 1259), so that a compute that
 * starts from a timeline id alone finds them through GetPage, and a rolled-back CREATE or DROP
 * leaves them as they were.
 */
public final class Catalog {
  public static final int DATABASE = 1;
  static final int RELATION = 1259;

  /** A table and where its catalog row is. */
  public record Entry(TableDef table, HeapRelation.Tid tid) {}

  private final HeapRelation heap;

  public Catalog(BufferCache pages, Transactions transactions) {
    HeapRelation h = new HeapRelation(pages, transactions, DATABASE, RELATION);
    this.heap = h.exists() ? h : HeapRelation.createAt(pages, transactions, DATABASE, RELATION);
  }

  /** The tables {@code reader} sees, by name. */
  public Map<String, Entry> tables(Snapshot reader) {
    Map<String, Entry> out = new LinkedHashMap<>();
    for (HeapRelation.Row r : heap.scan(reader)) {
      TableDef t = TableDef.fromCatalogText(new String(r.data(), StandardCharsets.UTF_8));
      out.put(t.name(), new Entry(t, r.tid()));
    }
    return out;
  }

  public void add(long xid, TableDef table) {
    heap.insert(xid, table.toCatalogText().getBytes(StandardCharsets.UTF_8));
  }

  /** Replaces a table's definition (an index added or dropped), as an update of its catalog row. */
  public void replace(long xid, Entry entry, TableDef table) {
    remove(xid, entry);
    add(xid, table);
  }

  public void remove(long xid, Entry entry) {
    heap.delete(xid, entry.tid());
  }
}
