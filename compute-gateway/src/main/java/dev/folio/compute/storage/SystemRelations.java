package dev.folio.compute.storage;

import dev.folio.format.PageKey;
import dev.folio.schemas.wal.Fork;

/**
 * Where a compute finds what it starts from, in database 0: the control page (next transaction
 * id, next relation number) and the commit log. User relations are numbered from 16384, as in
 * PostgreSQL.
 */
public final class SystemRelations {
  private SystemRelations() {}

  public static final int SYSTEM_DATABASE = 0;
  public static final int FIRST_USER_RELATION = 16384;
  public static final PageKey CONTROL = new PageKey(SYSTEM_DATABASE, 1, Fork.MAIN, 0);
  private static final int CLOG_RELATION = 2;

  public static PageKey clog(int block) {
    return new PageKey(SYSTEM_DATABASE, CLOG_RELATION, Fork.MAIN, block);
  }
}
