package dev.folio.compute.session;

import java.util.List;

/** Runs the SQL that is not a session command: queries and DML and DDL over Folio's pages. */
public interface SqlEngine {
  /** The result columns the statement will give, or null if it gives no rows. */
  List<Column> describe(String sql, int parameterCount);

  StatementResult execute(String sql, List<String> parameters);

  /**
   * A setting of Folio's own ({@code folio.*}) is about to change: the engine takes it, or refuses
   * it with an error (42704 for a name it does not know). {@code value} "" is the default.
   */
  default void configure(String name, String value) {
    throw new dev.folio.compute.pgwire.PgException(dev.folio.compute.pgwire.SqlState.UNDEFINED_OBJECT,
        "unrecognized configuration parameter \"" + name + "\"");
  }

  /** The user the session was opened for, and the database (branch) it names (from the startup packet). */
  default void connectedAs(String user, String database) {}

  /**
   * A transaction block starts (BEGIN); statements until its end run in one transaction, under
   * REPEATABLE READ (one snapshot) or READ COMMITTED (a snapshot per statement).
   */
  default void begin(boolean repeatableRead) {}

  /** SET TRANSACTION ISOLATION LEVEL, in a block before its first statement. */
  default void isolate(boolean repeatableRead) {}

  default void commit() {}

  default void rollback() {}

  /** The session ended: whatever the engine holds for it is let go. */
  default void close() {}

  /**
   * Until the SQL engine is built: every statement is refused with 0A000, saying so. The session
   * commands (transactions, SET/SHOW/RESET) work without it.
   */
  SqlEngine NONE = new SqlEngine() {
    @Override
    public List<Column> describe(String sql, int parameterCount) {
      throw notBuilt();
    }

    @Override
    public StatementResult execute(String sql, List<String> parameters) {
      throw notBuilt();
    }

    private dev.folio.compute.pgwire.PgException notBuilt() {
      return new dev.folio.compute.pgwire.PgException(dev.folio.compute.pgwire.SqlState.FEATURE_NOT_SUPPORTED,
          "this compute node has no SQL engine yet: it answers BEGIN, COMMIT, ROLLBACK, SET, SHOW and RESET only");
    }
  };
}
