package dev.folio.compute.storage;

/**
 * A transaction cannot go on because of another one: a deadlock among row waits (SQLSTATE 40P01),
 * or, under REPEATABLE READ, a row changed by a transaction its snapshot does not see (40001). The
 * client should roll back and retry.
 */
public final class TransactionConflict extends RuntimeException {
  public static final String DEADLOCK = "40P01";
  public static final String SERIALIZATION_FAILURE = "40001";

  private final String sqlState;

  public TransactionConflict(String sqlState, String message) {
    super(message);
    this.sqlState = sqlState;
  }

  public String sqlState() {
    return sqlState;
  }
}
