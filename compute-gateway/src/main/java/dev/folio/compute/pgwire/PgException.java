package dev.folio.compute.pgwire;

/** An error a client sees as an ErrorResponse: severity ERROR (or FATAL), SQLSTATE and message. */
public class PgException extends RuntimeException {
  private final String sqlState;
  private final boolean fatal;
  private final String hint;
  private String detail;

  public PgException(String sqlState, String message) {
    this(sqlState, message, null, false);
  }

  public PgException(String sqlState, String message, String hint, boolean fatal) {
    super(message);
    this.sqlState = sqlState;
    this.hint = hint;
    this.fatal = fatal;
  }

  static PgException protocol(String message) {
    return new PgException(SqlState.PROTOCOL_VIOLATION, message, null, true);
  }

  public String sqlState() {
    return sqlState;
  }

  public boolean fatal() {
    return fatal;
  }

  /** Adds PostgreSQL's DETAIL line, e.g. which key a unique violation found. */
  public PgException withDetail(String detail) {
    this.detail = detail;
    return this;
  }

  public String detail() {
    return detail;
  }

  public String hint() {
    return hint;
  }
}
