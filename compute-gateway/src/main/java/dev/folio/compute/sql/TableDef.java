package dev.folio.compute.sql;

import dev.folio.compute.pgwire.PgException;
import dev.folio.compute.storage.BtreeIndex;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A table: its name, its heap relation, its columns, its indexes. Rows are stored as a null bitmap
 * (one bit per column) followed by the non-null values in column order ({@link ColumnType} says
 * how).
 */
public record TableDef(String name, int relation, List<Column> columns, List<IndexDef> indexes) {
  /**
   * A column: name, type and its modifier ({@link ColumnType}), NOT NULL, and whether it belongs to
   * the primary key.
   */
  public record Column(String name, ColumnType type, int modifier, boolean notNull, boolean primaryKey) {
    /** A value for this column from a Java value or text: its type's, within its modifier. */
    public Object coerce(Object v) {
      return type.coerce(v, modifier);
    }

    public Column keyed() {
      return new Column(name, type, modifier, true, true);
    }
  }

  /** A B-tree index: its name, its relation, whether it is unique, the table columns it keys on. */
  public record IndexDef(String name, int relation, boolean unique, List<Integer> columns) {
    /** Whether the row's key has a NULL (a unique index lets such keys repeat, as PostgreSQL's does). */
    public boolean hasNull(Object[] row) {
      return columns.stream().anyMatch(c -> row[c] == null);
    }
  }

  public TableDef withIndex(IndexDef index) {
    List<IndexDef> all = new ArrayList<>(indexes);
    all.add(index);
    return new TableDef(name, relation, columns, List.copyOf(all));
  }

  public TableDef withoutIndex(String index) {
    return new TableDef(name, relation, columns, indexes.stream().filter(i -> !i.name().equals(index)).toList());
  }

  /** The index's key for a row of this table; 54000 if it is longer than a B-tree takes. */
  public byte[] key(IndexDef index, Object[] row) {
    List<ColumnType> types = new ArrayList<>();
    List<Object> values = new ArrayList<>();
    for (int c : index.columns()) {
      types.add(columns.get(c).type());
      values.add(row[c]);
    }
    byte[] key = IndexKeys.encode(types, values);
    if (key.length > BtreeIndex.MAX_KEY_SIZE) {
      throw new PgException("54000", "index row size " + key.length + " exceeds btree maximum, "
          + BtreeIndex.MAX_KEY_SIZE + ", for index \"" + index.name() + "\"");
    }
    return key;
  }

  /** {@code (a, b)=(1, x)}, as PostgreSQL describes a key. */
  public String keyText(IndexDef index, Object[] row) {
    return "(" + String.join(", ", index.columns().stream().map(c -> columns.get(c).name()).toList()) + ")=("
        + String.join(", ", index.columns().stream().map(c -> String.valueOf(columns.get(c).type().text(row[c])))
            .toList()) + ")";
  }

  public int index(String column) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(column)) {
        return i;
      }
    }
    throw new PgException("42703", "column \"" + column + "\" of relation \"" + name + "\" does not exist");
  }

  public byte[] encode(Object[] row) {
    int size = (columns.size() + 7) / 8;
    for (int i = 0; i < row.length; i++) {
      if (row[i] != null) {
        size += columns.get(i).type().storedSize(row[i]);
      }
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    byte[] nulls = new byte[(columns.size() + 7) / 8];
    for (int i = 0; i < row.length; i++) {
      if (row[i] == null) {
        nulls[i / 8] |= (byte) (1 << (i % 8));
      }
    }
    out.put(nulls);
    for (int i = 0; i < row.length; i++) {
      if (row[i] != null) {
        columns.get(i).type().write(out, row[i]);
      }
    }
    return out.array();
  }

  public Object[] decode(byte[] data) {
    ByteBuffer in = ByteBuffer.wrap(data);
    byte[] nulls = new byte[(columns.size() + 7) / 8];
    in.get(nulls);
    Object[] row = new Object[columns.size()];
    for (int i = 0; i < row.length; i++) {
      if ((nulls[i / 8] & (1 << (i % 8))) == 0) {
        row[i] = columns.get(i).type().read(in);
      }
    }
    return row;
  }

  /**
   * The catalog's text form: {@code name relation col:TYPE[/modifier]:flags. … +index:relation:u:c,c …};
   * column flags n (not null) and p (key), index flag u (unique) or -, index columns by position.
   */
  public String toCatalogText() {
    StringBuilder s = new StringBuilder(name).append(' ').append(relation);
    for (Column c : columns) {
      s.append(' ').append(c.name()).append(':').append(c.type().name())
          .append(c.modifier() >= 0 ? "/" + c.modifier() : "").append(':')
          .append(c.notNull() ? "n" : "").append(c.primaryKey() ? "p" : "").append('.');
    }
    for (IndexDef i : indexes) {
      s.append(" +").append(i.name()).append(':').append(i.relation()).append(':').append(i.unique() ? "u" : "-")
          .append(':').append(String.join(",", i.columns().stream().map(String::valueOf).toList()));
    }
    return s.toString();
  }

  public static TableDef fromCatalogText(String text) {
    String[] parts = text.split(" ");
    List<Column> columns = new ArrayList<>();
    List<IndexDef> indexes = new ArrayList<>();
    for (int i = 2; i < parts.length; i++) {
      String[] c = parts[i].split(":");
      if (parts[i].startsWith("+")) {
        indexes.add(new IndexDef(c[0].substring(1), Integer.parseInt(c[1]), c[2].equals("u"),
            java.util.Arrays.stream(c[3].split(",")).map(Integer::valueOf).toList()));
      } else {
        String[] type = c[1].split("/");
        columns.add(new Column(c[0], ColumnType.valueOf(type[0].toUpperCase(Locale.ROOT)),
            type.length > 1 ? Integer.parseInt(type[1]) : -1, c[2].contains("n"), c[2].contains("p")));
      }
    }
    return new TableDef(parts[0], Integer.parseInt(parts[1]), List.copyOf(columns), List.copyOf(indexes));
  }
}
