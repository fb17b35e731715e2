package dev.folio.compute.session;

/** A column of a result: its name and PostgreSQL type (OID and size, -1 for variable length). */
public record Column(String name, int typeOid, short typeSize) {
  public static final int TEXT = 25;

  public static Column text(String name) {
    return new Column(name, TEXT, (short) -1);
  }
}
