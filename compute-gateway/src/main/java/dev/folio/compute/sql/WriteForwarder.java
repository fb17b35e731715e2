package dev.folio.compute.sql;

import dev.folio.compute.pgwire.PgException;
import dev.folio.compute.pgwire.SqlState;
import dev.folio.compute.session.StatementResult;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.util.PSQLException;

/**
 * A session's writes on a compute that only reads, sent to its branch's primary: the session's
 * own connection to it (pgjdbc, as the session's user, through the gateway, which wakes the
 * primary if it is suspended). Outside a transaction block each write commits there at once;
 * inside one, the block continues on the primary from its first write to its end (the reads before
 * it were made here). After a commit the session waits until this compute has followed the log to
 * the primary's commit, so that it reads its own writes.
 */
final class WriteForwarder implements AutoCloseable {
  private static final Pattern DDL_TAG = Pattern.compile(
      "(?i)^\\s*(create\\s+(?:unique\\s+)?index|create\\s+table|drop\\s+table|drop\\s+index|alter\\s+table|truncate|"
          + "vacuum|analyze)");

  /** The primary's LSN now: asked after a commit, to wait for it here. */
  private static final String PRIMARY_LSN = "SELECT current_lsn FROM folio.compute_nodes WHERE role = 'primary' "
      + "AND branch = ?";

  private final String url;
  private final String user;
  private final String branch;
  private Connection connection;
  private boolean inBlock;

  /** {@code address}: {@code host:port/branch} of the branch's primary (through the gateway). */
  WriteForwarder(String address, String user) {
    this.url = "jdbc:postgresql://" + address;
    this.user = user;
    this.branch = address.substring(address.lastIndexOf('/') + 1);
  }

  /** Whether a transaction block has gone on to the primary. */
  boolean active() {
    return inBlock;
  }

  /**
   * Runs the statement on the primary. Returns its result and, for a write that committed, the
   * primary's LSN after it (0 otherwise), for the caller to wait for.
   */
  Forwarded forward(String sql, List<String> parameters, boolean block) {
    try {
      if (connection == null) {
        connection = DriverManager.getConnection(url, user, "");
      }
      if (block && !inBlock) {
        connection.setAutoCommit(false);
        inBlock = true;
      }
      Parameters.Placeholders p = Parameters.placeholders(sql);
      List<String> values = p.values(parameters);
      int count;
      try (PreparedStatement s = connection.prepareStatement(p.sql())) {
        for (int i = 0; i < values.size(); i++) {
          if (values.get(i) == null) {
            s.setNull(i + 1, Types.OTHER);
          } else {
            s.setObject(i + 1, values.get(i), Types.OTHER);
          }
        }
        s.execute();
        count = Math.max(0, s.getUpdateCount());
      }
      return new Forwarded(StatementResult.command(tag(sql, count)), inBlock ? 0 : primaryLsn());
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** Ends the block on the primary; returns the primary's LSN after a commit. */
  long end(boolean commit) {
    if (!inBlock) {
      return 0;
    }
    inBlock = false;
    try {
      if (commit) {
        connection.commit();
      } else {
        connection.rollback();
      }
      connection.setAutoCommit(true);
      return commit ? primaryLsn() : 0;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  record Forwarded(StatementResult result, long primaryLsn) {}

  private long primaryLsn() throws SQLException {
    try (PreparedStatement s = connection.prepareStatement(PRIMARY_LSN)) {
      s.setString(1, branch);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? dev.folio.format.Lsn.parse(rs.getString(1)).value() : 0;
      }
    }
  }

  /** The command tag PostgreSQL gives the statement, from its first words and the rows it changed. */
  private static String tag(String sql, int count) {
    String head = sql.stripLeading().toUpperCase(Locale.ROOT);
    if (head.startsWith("INSERT")) {
      return "INSERT 0 " + count;
    }
    if (head.startsWith("UPDATE")) {
      return "UPDATE " + count;
    }
    if (head.startsWith("DELETE")) {
      return "DELETE " + count;
    }
    Matcher m = DDL_TAG.matcher(sql);
    if (!m.find()) {
      return head.split("\\s+")[0];
    }
    String words = m.group(1).toUpperCase(Locale.ROOT).replaceAll("\\s+", " ");
    return switch (words) {
      case "CREATE UNIQUE INDEX" -> "CREATE INDEX";
      case "TRUNCATE" -> "TRUNCATE TABLE";
      default -> words;
    };
  }

  /** The primary's error as the client's, with its SQLSTATE; a lost connection ends the forwarding. */
  private PgException failure(SQLException e) {
    String state = e.getSQLState() != null ? e.getSQLState() : SqlState.CANNOT_CONNECT_NOW;
    if (state.startsWith("08")) {
      close();
    }
    String message = e instanceof PSQLException p && p.getServerErrorMessage() != null
        ? p.getServerErrorMessage().getMessage() : e.getMessage();
    return new PgException(state, message);
  }

  @Override
  public void close() {
    inBlock = false;
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // Closing a connection that failed: nothing more to do.
      }
      connection = null;
    }
  }
}
