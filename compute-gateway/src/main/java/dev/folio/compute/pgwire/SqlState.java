package dev.folio.compute.pgwire;

/** The SQLSTATE codes Folio sends, named as in PostgreSQL's errcodes.txt. */
public final class SqlState {
  private SqlState() {}

  public static final String SUCCESSFUL_COMPLETION = "00000";
  public static final String FEATURE_NOT_SUPPORTED = "0A000";
  public static final String INVALID_SQL_STATEMENT_NAME = "26000";
  public static final String INVALID_CURSOR_NAME = "34000";
  public static final String IN_FAILED_SQL_TRANSACTION = "25P02";
  public static final String ACTIVE_SQL_TRANSACTION = "25001";
  public static final String NO_ACTIVE_SQL_TRANSACTION = "25P01";
  public static final String INVALID_PASSWORD = "28P01";
  public static final String INVALID_AUTHORIZATION_SPECIFICATION = "28000";
  public static final String PROTOCOL_VIOLATION = "08P01";
  public static final String SYNTAX_ERROR = "42601";
  public static final String UNDEFINED_OBJECT = "42704";
  public static final String INVALID_PARAMETER_VALUE = "22023";
  public static final String QUERY_CANCELED = "57014";
  public static final String INTERNAL_ERROR = "XX000";
  public static final String INVALID_CATALOG_NAME = "3D000";
  public static final String CANNOT_CONNECT_NOW = "57P03";
  public static final String READ_ONLY_SQL_TRANSACTION = "25006";
}
