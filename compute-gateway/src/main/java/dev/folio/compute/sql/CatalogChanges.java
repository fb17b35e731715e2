package dev.folio.compute.sql;

import dev.folio.compute.pgwire.PgException;
import dev.folio.compute.session.StatementResult;
import dev.folio.compute.storage.BtreeIndex;
import dev.folio.compute.storage.HeapRelation;
import dev.folio.compute.storage.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * DDL carried out: tables and their indexes created, dropped, truncated and given primary keys,
 * each a change of catalog rows in the statement's transaction (so it commits or rolls back with
 * it), and VACUUM and ANALYZE checked and accepted. The caller holds the catalog lock exclusive.
 */
final class CatalogChanges {
  private final Database db;
  /** What the statement sees of the catalog and the tables. */
  private final Snapshot snapshot;

  CatalogChanges(Database db, Snapshot snapshot) {
    this.db = db;
    this.snapshot = snapshot;
  }

  /** Carries out a statement {@link Ddl} parsed, in transaction {@code xid}. */
  StatementResult run(Object statement, long xid, boolean inBlock) {
    Map<String, Catalog.Entry> tables = db.catalog().tables(snapshot);
    if (statement instanceof Ddl.Maintenance m) {
      if (m.tag().equals("VACUUM") && inBlock) {
        throw new PgException("25001", "VACUUM cannot run inside a transaction block");
      }
      m.names().forEach(name -> Catalog.existing(tables, name));
      return StatementResult.command(m.tag()); // nothing to vacuum or analyze yet: no dead tuples are reclaimed, no statistics kept
    } else if (statement instanceof Ddl.Truncate t) {
      return truncate(t, tables, xid);
    } else if (statement instanceof Ddl.CreateTable c) {
      return createTable(c, tables, xid);
    } else if (statement instanceof Ddl.DropTable d) {
      return dropTable(d, tables, xid);
    } else if (statement instanceof Ddl.CreateIndex c) {
      return createIndex(c, tables, xid);
    } else if (statement instanceof Ddl.DropIndex d) {
      return dropIndex(d, tables, xid);
    }
    return addPrimaryKey((Ddl.AddPrimaryKey) statement, tables, xid);
  }

  private StatementResult createTable(Ddl.CreateTable c, Map<String, Catalog.Entry> tables, long xid) {
    if (tables.containsKey(c.name()) || indexOwner(tables, c.name()) != null) {
      if (c.ifNotExists()) {
        return StatementResult.command("CREATE TABLE").withNotice("42P07", "relation \"" + c.name()
            + "\" already exists, skipping");
      }
      throw new PgException("42P07", "relation \"" + c.name() + "\" already exists");
    }
    List<Integer> key = new ArrayList<>();
    for (int i = 0; i < c.columns().size(); i++) {
      if (c.columns().get(i).primaryKey()) {
        key.add(i);
      }
    }
    requireIndexable(new TableDef(c.name(), 0, c.columns(), List.of()), key);
    HeapRelation heap = HeapRelation.create(db.pages(), db.transactions(), Catalog.DATABASE);
    TableDef table = new TableDef(c.name(), heap.relation(), c.columns(), List.of());
    if (!key.isEmpty()) {
      table = table.withIndex(new TableDef.IndexDef(c.name() + "_pkey",
          BtreeIndex.create(db.pages(), db.transactions(), Catalog.DATABASE).relation(), true, List.copyOf(key)));
    }
    db.catalog().add(xid, table);
    return StatementResult.command("CREATE TABLE");
  }

  /**
   * TRUNCATE gives each table a new, empty heap and new, empty indexes, as PostgreSQL gives it a
   * new file: a catalog change, so it commits or rolls back with its transaction, and the old
   * pages stay for the history.
   */
  private StatementResult truncate(Ddl.Truncate t, Map<String, Catalog.Entry> tables, long xid) {
    for (String name : t.names()) {
      Catalog.Entry e = Catalog.existing(tables, name);
      TableDef old = e.table();
      HeapRelation heap = HeapRelation.create(db.pages(), db.transactions(), Catalog.DATABASE);
      List<TableDef.IndexDef> indexes = new ArrayList<>();
      for (TableDef.IndexDef i : old.indexes()) {
        indexes.add(new TableDef.IndexDef(i.name(),
            BtreeIndex.create(db.pages(), db.transactions(), Catalog.DATABASE).relation(), i.unique(), i.columns()));
      }
      db.catalog().replace(xid, e, new TableDef(old.name(), heap.relation(), old.columns(), List.copyOf(indexes)));
    }
    return StatementResult.command("TRUNCATE TABLE");
  }

  private StatementResult dropTable(Ddl.DropTable d, Map<String, Catalog.Entry> tables, long xid) {
    StatementResult result = StatementResult.command("DROP TABLE");
    for (String name : d.names()) {
      Catalog.Entry e = tables.get(name);
      if (e == null) {
        if (!d.ifExists()) {
          throw new PgException("42P01", "table \"" + name + "\" does not exist");
        }
        result = result.withNotice("00000", "table \"" + name + "\" does not exist, skipping");
        continue;
      }
      db.catalog().remove(xid, e);
    }
    return result;
  }

  private StatementResult createIndex(Ddl.CreateIndex c, Map<String, Catalog.Entry> tables, long xid) {
    Catalog.Entry e = Catalog.existing(tables, c.table());
    TableDef t = e.table();
    List<Integer> columns = new ArrayList<>();
    for (String column : c.columns()) {
      columns.add(t.index(column));
    }
    String name = c.name() != null ? c.name() : t.name() + "_" + String.join("_", c.columns()) + "_idx";
    if (tables.containsKey(name) || indexOwner(tables, name) != null) {
      if (c.ifNotExists()) {
        return StatementResult.command("CREATE INDEX").withNotice("42P07", "relation \"" + name
            + "\" already exists, skipping");
      }
      throw new PgException("42P07", "relation \"" + name + "\" already exists");
    }
    TableDef.IndexDef def = build(t, name, c.unique(), columns, xid);
    db.catalog().replace(xid, e, t.withIndex(def));
    return StatementResult.command("CREATE INDEX");
  }

  /** A new index over the rows {@code xid} sees; 23505 if a unique one finds a key twice. */
  private TableDef.IndexDef build(TableDef t, String name, boolean unique, List<Integer> columns, long xid) {
    requireIndexable(t, columns);
    TableDef.IndexDef def = new TableDef.IndexDef(name,
        BtreeIndex.create(db.pages(), db.transactions(), Catalog.DATABASE).relation(), unique, List.copyOf(columns));
    BtreeIndex index = db.index(def);
    for (HeapRelation.Row r : db.heap(t).scan(snapshot)) {
      Object[] row = t.decode(r.data());
      byte[] key = t.key(def, row);
      if (unique && !def.hasNull(row) && !index.scan(key, true, key, true).isEmpty()) {
        throw new PgException("23505", "could not create unique index \"" + name + "\"")
            .withDetail("Key " + t.keyText(def, row) + " is duplicated.");
      }
      index.insert(key, r.tid());
    }
    return def;
  }

  private StatementResult dropIndex(Ddl.DropIndex d, Map<String, Catalog.Entry> tables, long xid) {
    StatementResult result = StatementResult.command("DROP INDEX");
    for (String name : d.names()) {
      Catalog.Entry e = indexOwner(tables, name);
      if (e == null) {
        if (!d.ifExists()) {
          throw new PgException("42704", "index \"" + name + "\" does not exist");
        }
        result = result.withNotice("00000", "index \"" + name + "\" does not exist, skipping");
        continue;
      }
      if (name.equals(e.table().name() + "_pkey")) {
        throw new PgException("2BP01", "cannot drop index " + name + " because constraint " + name + " on table "
            + e.table().name() + " requires it");
      }
      db.catalog().replace(xid, e, e.table().withoutIndex(name));
      tables = db.catalog().tables(snapshot);
    }
    return result;
  }

  private StatementResult addPrimaryKey(Ddl.AddPrimaryKey a, Map<String, Catalog.Entry> tables, long xid) {
    Catalog.Entry e = Catalog.existing(tables, a.table());
    TableDef t = e.table();
    if (t.columns().stream().anyMatch(TableDef.Column::primaryKey)) {
      throw new PgException("42P16", "multiple primary keys for table \"" + t.name() + "\" are not allowed");
    }
    List<Integer> key = new ArrayList<>();
    for (String column : a.columns()) {
      key.add(t.index(column));
    }
    List<TableDef.Column> columns = new ArrayList<>(t.columns());
    for (int k : key) {
      TableDef.Column c = columns.get(k);
      columns.set(k, c.keyed());
    }
    for (HeapRelation.Row r : db.heap(t).scan(snapshot)) {
      Object[] row = t.decode(r.data());
      for (int k : key) {
        if (row[k] == null) {
          throw new PgException("23502", "column \"" + columns.get(k).name() + "\" of relation \"" + t.name()
              + "\" contains null values");
        }
      }
    }
    String name = a.constraint() != null ? a.constraint() : t.name() + "_pkey";
    TableDef keyed = new TableDef(t.name(), t.relation(), List.copyOf(columns), t.indexes());
    db.catalog().replace(xid, e, keyed.withIndex(build(keyed, name, true, key, xid)));
    return StatementResult.command("ALTER TABLE");
  }

  private static void requireIndexable(TableDef t, List<Integer> columns) {
    for (int c : columns) {
      if (!IndexKeys.indexable(t.columns().get(c).type())) {
        throw new PgException("0A000", "indexes on " + t.columns().get(c).type().sqlName(-1) + " columns (\""
            + t.columns().get(c).name() + "\") are not supported yet");
      }
    }
  }

  /** The table that has an index of this name, or null. */
  private static Catalog.Entry indexOwner(Map<String, Catalog.Entry> tables, String index) {
    for (Catalog.Entry e : tables.values()) {
      if (e.table().indexes().stream().anyMatch(i -> i.name().equals(index))) {
        return e;
      }
    }
    return null;
  }
}
