package dev.folio.compute.sql;

import dev.folio.compute.pgwire.PgException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A table: its name, its heap relation, its columns. Rows are stored as a null bitmap (one bit per
 * column) followed by the non-null values in column order ({@link ColumnType} says how).
 */
public record TableDef(String name, int relation, List<Column> columns) {
  /** A column: name, type, NOT NULL, and whether it belongs to the primary key. */
  public record Column(String name, ColumnType type, boolean notNull, boolean primaryKey) {}

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

  /** The catalog's text form: {@code name relation col:TYPE:flags ...}, flags n (not null), p (key). */
  public String toCatalogText() {
    StringBuilder s = new StringBuilder(name).append(' ').append(relation);
    for (Column c : columns) {
      s.append(' ').append(c.name()).append(':').append(c.type().name()).append(':')
          .append(c.notNull() ? "n" : "").append(c.primaryKey() ? "p" : "").append('.');
    }
    return s.toString();
  }

  public static TableDef fromCatalogText(String text) {
    String[] parts = text.split(" ");
    List<Column> columns = new ArrayList<>();
    for (int i = 2; i < parts.length; i++) {
      String[] c = parts[i].split(":");
      columns.add(new Column(c[0], ColumnType.valueOf(c[1].toUpperCase(Locale.ROOT)), c[2].contains("n"),
          c[2].contains("p")));
    }
    return new TableDef(parts[0], Integer.parseInt(parts[1]), List.copyOf(columns));
  }
}
