package dev.folio.compute.sql;

import dev.folio.compute.pgwire.PgException;
import dev.folio.compute.storage.BufferCache;
import dev.folio.compute.storage.HeapRelation;
import dev.folio.compute.storage.Snapshot;
import dev.folio.compute.storage.Transactions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
  private volatile State last;

  public Catalog(BufferCache pages, Transactions transactions) {
    HeapRelation h = new HeapRelation(pages, transactions, DATABASE, RELATION);
    this.heap = h.exists() ? h : HeapRelation.createAt(pages, transactions, DATABASE, RELATION);
  }

  /** The tables {@code reader} sees, by name. */
  public Map<String, Entry> tables(Snapshot reader) {
    return state(reader).tables();
  }

  /**
   * What {@code reader} sees of the catalog: the tables, and a signature that is the same object
   * for the same catalog rows (query plans are cached by it). The catalog rows a snapshot sees
   * identify its state exactly, since every change makes new rows: when they are the ones seen
   * last, the tables decoded last serve again, for every session.
   */
  public State state(Snapshot reader) {
    List<HeapRelation.Row> rows = heap.scan(reader);
    List<HeapRelation.Tid> tids = new ArrayList<>(rows.size());
    rows.forEach(r -> tids.add(r.tid()));
    State last = this.last;
    if (last != null && last.rows().equals(tids)) {
      return last;
    }
    Map<String, Entry> tables = new LinkedHashMap<>();
    StringBuilder signature = new StringBuilder();
    for (HeapRelation.Row r : rows) {
      String text = new String(r.data(), StandardCharsets.UTF_8);
      TableDef t = TableDef.fromCatalogText(text);
      tables.put(t.name(), new Entry(t, r.tid()));
      signature.append(text).append('\n');
    }
    State state = new State(List.copyOf(tids), Map.copyOf(tables), signature.toString());
    this.last = state;
    return state;
  }

  /** The catalog as a snapshot sees it: its rows, its tables by name, its signature. */
  public record State(List<HeapRelation.Tid> rows, Map<String, Entry> tables, String signature) {}

  public void add(long xid, TableDef table) {
    heap.insert(xid, table.toCatalogText().getBytes(StandardCharsets.UTF_8));
  }

  /** The table of this name, or 42P01. */
  static Entry existing(Map<String, Entry> tables, String name) {
    Entry e = tables.get(name);
    if (e == null) {
      throw new PgException("42P01", "relation \"" + name + "\" does not exist");
    }
    return e;
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
