package dev.folio.compute.session;

import dev.folio.compute.pgwire.PgException;
import dev.folio.compute.pgwire.SqlState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One client session: its settings and its transaction state, and the statements that belong to
 * the session rather than to the SQL engine (Calcite has no notion of them): BEGIN / START
 * TRANSACTION, COMMIT / END, ROLLBACK / ABORT, SET, SHOW, RESET. Everything else goes to the
 * {@link SqlEngine}. As in PostgreSQL, after an error inside a transaction block every statement
 * but COMMIT or ROLLBACK fails with 25P02 until the block ends.
 */
public final class Session {
  /** ReadyForQuery's transaction status: idle, in a transaction block, or in a failed one. */
  public enum Status {
    IDLE('I'), IN_TRANSACTION('T'), FAILED('E');

    public final char code;

    Status(char code) {
      this.code = code;
    }
  }

  /** The settings PostgreSQL reports to the client with ParameterStatus when they change. */
  public static final List<String> REPORTED = List.of("server_version", "server_encoding", "client_encoding",
      "application_name", "DateStyle", "IntervalStyle", "TimeZone", "integer_datetimes",
      "standard_conforming_strings", "is_superuser", "session_authorization");

  private static final Map<String, String> DEFAULTS = defaults();
  private static final Pattern SET = Pattern.compile(
      "(?is)set\\s+(?:session\\s+|local\\s+)?(?:time\\s+zone\\s+(.+)|([a-z_][a-z0-9_.]*)\\s*(?:=|\\s+to\\s+)\\s*(.+))");
  private static final Pattern SHOW = Pattern.compile("(?is)show\\s+(time\\s+zone|[a-z_][a-z0-9_.]*)");
  private static final Pattern RESET = Pattern.compile("(?is)reset\\s+([a-z_][a-z0-9_.]*)");
  private static final Pattern ISOLATION = Pattern.compile(
      "(?is).*\\bisolation\\s+level\\s+(read\\s+committed|read\\s+uncommitted|repeatable\\s+read|serializable)\\b.*");
  private static final Pattern TRANSACTION_MODE = Pattern.compile(
      "(?is)set\\s+(session\\s+characteristics\\s+as\\s+)?transaction\\s+(.*)");

  private final SqlEngine engine;
  private final Map<String, String> settings = new LinkedHashMap<>();
  private final BiConsumer<String, String> reported;
  private Status status = Status.IDLE;

  /**
   * @param startup the startup packet's parameters (user, database, and settings)
   * @param reported told of each reported setting that changes, for ParameterStatus
   */
  public Session(SqlEngine engine, Map<String, String> startup, BiConsumer<String, String> reported) {
    this.engine = engine;
    this.reported = reported;
    engine.connectedAs(startup.getOrDefault("user", ""), startup.getOrDefault("database",
        startup.getOrDefault("user", "")));
    settings.putAll(DEFAULTS);
    startup.forEach((k, v) -> {
      if (!k.equals("user") && !k.equals("database") && !k.equals("options") && !k.equals("replication")) {
        settings.put(canonical(k), v);
      }
    });
    settings.put("session_authorization", startup.getOrDefault("user", "folio"));
  }

  private static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("server_version", "15.0 (Folio)");
    d.put("server_version_num", "150000");
    d.put("server_encoding", "UTF8");
    d.put("client_encoding", "UTF8");
    d.put("application_name", "");
    d.put("folio.as_of", "");
    d.put("DateStyle", "ISO, MDY");
    d.put("IntervalStyle", "postgres");
    d.put("TimeZone", "UTC");
    d.put("integer_datetimes", "on");
    d.put("standard_conforming_strings", "on");
    d.put("is_superuser", "on");
    d.put("extra_float_digits", "1");
    d.put("search_path", "\"$user\", public");
    d.put("transaction_isolation", "read committed");
    d.put("default_transaction_isolation", "read committed");
    return d;
  }

  /** Every reported setting with its value, for the ParameterStatus messages after startup. */
  public Map<String, String> reportedSettings() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String name : REPORTED) {
      out.put(name, settings.get(name));
    }
    return out;
  }

  public Status status() {
    return status;
  }

  /** The result columns of a statement, or null when it gives no rows. */
  public List<Column> describe(String sql, int parameterCount) {
    String s = sql.strip();
    Matcher show = SHOW.matcher(s);
    if (show.matches()) {
      return List.of(Column.text(showName(show.group(1))));
    }
    if (isSessionCommand(s)) {
      return null;
    }
    return engine.describe(sql, parameterCount);
  }

  /** Runs one statement (no trailing semicolon). A failure inside a block fails the block. */
  public StatementResult execute(String sql, List<String> parameters) {
    String s = sql.strip();
    String first = firstWord(s);
    if (status == Status.FAILED && !first.equals("commit") && !first.equals("end") && !first.equals("rollback")
        && !first.equals("abort")) {
      throw new PgException(SqlState.IN_FAILED_SQL_TRANSACTION,
          "current transaction is aborted, commands ignored until end of transaction block");
    }
    try {
      return switch (first) {
        case "begin", "start" -> begin(s);
        case "commit", "end" -> end(true);
        case "rollback", "abort" -> end(false);
        case "set" -> set(s);
        case "show" -> show(s);
        case "reset" -> reset(s);
        default -> engine.execute(sql, parameters);
      };
    } catch (PgException e) {
      if (status == Status.IN_TRANSACTION) {
        status = Status.FAILED;
      }
      throw e;
    }
  }

  /** The client went away: an open transaction block is rolled back. */
  public void close() {
    try {
      if (status != Status.IDLE) {
        status = Status.IDLE;
        engine.rollback();
      }
    } finally {
      engine.close();
    }
  }

  /** The connection failed a statement outside {@link #execute}: a failed block stays failed. */
  public void failed() {
    if (status == Status.IN_TRANSACTION) {
      status = Status.FAILED;
    }
  }

  private static boolean isSessionCommand(String s) {
    return switch (firstWord(s)) {
      case "begin", "start", "commit", "end", "rollback", "abort", "set", "reset" -> true;
      default -> false;
    };
  }

  private static String firstWord(String s) {
    int i = 0;
    while (i < s.length() && Character.isLetter(s.charAt(i))) {
      i++;
    }
    return s.substring(0, i).toLowerCase(Locale.ROOT);
  }

  /**
   * The isolation level a statement names, in PostgreSQL's words, or null. SERIALIZABLE runs as
   * REPEATABLE READ (snapshot isolation: write skew is not detected).
   */
  private static String isolation(String s) {
    Matcher m = ISOLATION.matcher(s);
    return m.matches() ? m.group(1).toLowerCase(Locale.ROOT).replaceAll("\\s+", " ") : null;
  }

  private static boolean repeatableRead(String level) {
    return level.equals("repeatable read") || level.equals("serializable");
  }

  /** SET [SESSION CHARACTERISTICS AS] TRANSACTION ISOLATION LEVEL …: this transaction's, or the default. */
  private StatementResult setTransaction(Matcher m) {
    String level = isolation(m.group(2));
    if (level == null) {
      return StatementResult.command("SET"); // READ WRITE, NOT DEFERRABLE: what every transaction is here
    }
    if (m.group(1) != null) {
      put("default_transaction_isolation", level);
    } else if (status == Status.IN_TRANSACTION) {
      put("transaction_isolation", level);
      engine.isolate(repeatableRead(level));
    } else {
      return StatementResult.command("SET").withNotice(SqlState.NO_ACTIVE_SQL_TRANSACTION,
          "SET TRANSACTION can only be used in transaction blocks");
    }
    return StatementResult.command("SET");
  }

  private StatementResult begin(String s) {
    if (status != Status.IDLE) {
      return StatementResult.command("BEGIN").withNotice(SqlState.ACTIVE_SQL_TRANSACTION,
          "there is already a transaction in progress");
    }
    String level = isolation(s);
    settings.put("transaction_isolation", level != null ? level : settings.get("default_transaction_isolation"));
    engine.begin(repeatableRead(settings.get("transaction_isolation")));
    status = Status.IN_TRANSACTION;
    return StatementResult.command("BEGIN");
  }

  private StatementResult end(boolean commit) {
    Status was = status;
    status = Status.IDLE;
    if (was == Status.IN_TRANSACTION && commit) {
      engine.commit();
    } else if (was != Status.IDLE) {
      engine.rollback();
    }
    if (was == Status.IDLE) {
      return StatementResult.command(commit ? "COMMIT" : "ROLLBACK").withNotice(SqlState.NO_ACTIVE_SQL_TRANSACTION,
          "there is no transaction in progress");
    }
    return StatementResult.command(commit && was == Status.IN_TRANSACTION ? "COMMIT" : "ROLLBACK");
  }

  private StatementResult set(String s) {
    Matcher t = TRANSACTION_MODE.matcher(s);
    if (t.matches()) {
      return setTransaction(t);
    }
    Matcher m = SET.matcher(s);
    if (!m.matches()) {
      throw new PgException(SqlState.SYNTAX_ERROR, "syntax error in SET: " + s);
    }
    String name = m.group(1) != null ? "TimeZone" : canonical(m.group(2));
    String value = unquote((m.group(1) != null ? m.group(1) : m.group(3)).strip());
    if (value.equalsIgnoreCase("default")) {
      value = DEFAULTS.getOrDefault(name, "");
    }
    if (name.equals("client_encoding") && !value.equalsIgnoreCase("UTF8") && !value.equalsIgnoreCase("UTF-8")
        && !value.equalsIgnoreCase("unicode")) {
      throw new PgException(SqlState.FEATURE_NOT_SUPPORTED, "client encoding \"" + value
          + "\" is not supported: Folio speaks UTF8");
    }
    put(name, value);
    return StatementResult.command("SET");
  }

  private StatementResult show(String s) {
    Matcher m = SHOW.matcher(s);
    if (!m.matches()) {
      throw new PgException(SqlState.SYNTAX_ERROR, "syntax error in SHOW: " + s);
    }
    String name = showName(m.group(1));
    String value = settings.get(canonical(name));
    if (value == null) {
      throw new PgException(SqlState.UNDEFINED_OBJECT, "unrecognized configuration parameter \"" + name + "\"");
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {value});
    return new StatementResult(List.of(Column.text(name)), rows, "SHOW", null);
  }

  private StatementResult reset(String s) {
    Matcher m = RESET.matcher(s);
    if (!m.matches()) {
      throw new PgException(SqlState.SYNTAX_ERROR, "syntax error in RESET: " + s);
    }
    if (m.group(1).equalsIgnoreCase("all")) {
      DEFAULTS.forEach(this::put);
    } else {
      String name = canonical(m.group(1));
      put(name, DEFAULTS.getOrDefault(name, ""));
    }
    return StatementResult.command("RESET");
  }

  private void put(String name, String value) {
    if (name.startsWith("folio.") && !value.equals(settings.get(name))) {
      if (status != Status.IDLE) {
        throw new PgException(SqlState.ACTIVE_SQL_TRANSACTION, "cannot change " + name + " inside a transaction block");
      }
      engine.configure(name, value);
    }
    String old = settings.put(name, value);
    if (REPORTED.contains(name) && !value.equals(old)) {
      reported.accept(name, value);
    }
  }

  private static String showName(String name) {
    return name.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").equals("time zone") ? "TimeZone" : name;
  }

  /** Setting names are case-insensitive; reported ones keep PostgreSQL's spelling. */
  private static String canonical(String name) {
    for (String r : REPORTED) {
      if (r.equalsIgnoreCase(name)) {
        return r;
      }
    }
    return name.toLowerCase(Locale.ROOT);
  }

  private static String unquote(String v) {
    if (v.length() >= 2 && (v.startsWith("'") && v.endsWith("'") || v.startsWith("\"") && v.endsWith("\""))) {
      return v.substring(1, v.length() - 1).replace("''", "'");
    }
    return v;
  }
}
