package dev.folio.compute.sql;

import dev.folio.compute.fleet.PointInTime;
import dev.folio.compute.pgwire.PgException;
import dev.folio.compute.pgwire.SqlState;
import dev.folio.compute.session.Column;
import dev.folio.compute.session.CopyIn;
import dev.folio.compute.session.SqlEngine;
import dev.folio.compute.session.StatementResult;
import dev.folio.compute.storage.HeapRelation;
import dev.folio.compute.storage.Snapshot;
import dev.folio.compute.storage.TransactionConflict;
import dev.folio.format.Lsn;
import dev.folio.schemas.wal.XactStatus;
import dev.folio.wal.writer.WalWriterException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.avatica.util.Quoting;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.rel.type.RelDataTypeSystem;
import org.apache.calcite.rel.type.RelDataTypeSystemImpl;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.sql.SqlDelete;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlUpdate;
import org.apache.calcite.sql.dialect.CalciteSqlDialect;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.parser.babel.SqlBabelParserImpl;
import org.apache.calcite.sql.validate.SqlConformanceEnum;
import org.apache.calcite.tools.ValidationException;

/**
 * SQL over Folio's heap relations and B-tree indexes, one engine per session. Queries go through
 * Calcite as a library (Babel parser with PostgreSQL's case folding, validation, planning, and
 * Calcite's enumerable operators over {@link FolioTable} scans, which take an index when a filter
 * allows); INSERT, UPDATE and DELETE are carried out here: Calcite computes the rows (the VALUES or
 * the query; for UPDATE and DELETE the positions and new values of the rows the WHERE clause
 * selects), and this engine locks and writes them, checking NOT NULL (23502) and unique indexes
 * (23505). DDL is parsed by {@link Ddl} and carried out by {@link CatalogChanges}. Query plans are
 * compiled once per session ({@link QueryPlans}).
 *
 * <p>Transactions follow PostgreSQL: each statement reads from a snapshot (READ COMMITTED), or the
 * whole block from one (REPEATABLE READ); a changed row is locked until its transaction ends, and a
 * concurrent change waits, then re-checks the newest version, or fails with 40001 under
 * REPEATABLE READ; deadlocks fail with 40P01. SERIALIZABLE runs as REPEATABLE READ.
 */
public final class FolioSqlEngine implements SqlEngine {
  private static final SqlParser.Config PARSER = SqlParser.config().withParserFactory(SqlBabelParserImpl.FACTORY)
      .withConformance(SqlConformanceEnum.BABEL).withQuoting(Quoting.DOUBLE_QUOTE)
      .withUnquotedCasing(Casing.TO_LOWER).withQuotedCasing(Casing.UNCHANGED).withCaseSensitive(true);
  private static final String TID_SCHEMA = "$tid";
  /** String literals of different lengths in one VALUES list are VARCHAR, as in PostgreSQL, not padded CHAR. */
  private static final RelDataTypeSystem TYPES = new RelDataTypeSystemImpl() {
    @Override
    public boolean shouldConvertRaggedUnionTypesToVarying() {
      return true;
    }

    /** PostgreSQL's numeric holds up to 1000 digits, not Calcite's default 19. */
    @Override
    public int getMaxPrecision(org.apache.calcite.sql.type.SqlTypeName type) {
      return type == org.apache.calcite.sql.type.SqlTypeName.DECIMAL ? ColumnType.MAX_NUMERIC_PRECISION
          : super.getMaxPrecision(type);
    }

    @Override
    public int getMaxScale(org.apache.calcite.sql.type.SqlTypeName type) {
      return type == org.apache.calcite.sql.type.SqlTypeName.DECIMAL ? ColumnType.MAX_NUMERIC_PRECISION
          : super.getMaxScale(type);
    }
  };

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FolioSqlEngine.class);

  /** The compute's database. */
  private final Database home;
  /** What the session reads and writes: {@link #home}, or it as of an earlier LSN ({@code folio.as_of}). */
  private Database db;
  /** The session's user: Folio has no roles or ownership, so psql is shown it as the owner of what it lists. */
  private String user = "";
  /** The database (branch) the session named: information_schema's catalog. */
  private String database = "";
  /** On a compute that only reads, the session's connection to its primary, once it has written. */
  private WriteForwarder forwarder;
  private QueryPlans plans;
  private final LinkedHashMap<String, SqlNode> parsedStatements = new LinkedHashMap<>(64, 0.75f, true);
  /** Whether the statement runs in its normalized form, with its literals as parameters. */
  private boolean normalizedRun;
  /** Normalized texts that could not be planned with parameters: their literal texts are planned instead. */
  private final LinkedHashSet<String> literalOnly = new LinkedHashSet<>();
  /** The transaction block's xid, or 0 outside a block. */
  private long blockXid;
  /** Whether the block runs under REPEATABLE READ: one snapshot for all its statements. */
  private boolean repeatableRead;
  /** The block's snapshot under REPEATABLE READ, taken by its first statement. */
  private Snapshot blockSnapshot;
  /** What the current statement sees. */
  private Snapshot statementSnapshot;
  /** Whether this session's transaction has written (and holds the catalog lock shared, or exclusive for DDL). */
  private boolean writing;
  private boolean changingCatalog;

  public FolioSqlEngine(Database db) {
    this.home = db;
    this.db = db;
    this.plans = new QueryPlans(PARSER, TYPES, db.plansCompiled());
  }

  @Override
  public void begin(boolean repeatableRead) {
    blockXid = db.transactions().begin();
    this.repeatableRead = repeatableRead;
    blockSnapshot = null;
  }

  @Override
  public void isolate(boolean repeatableRead) {
    if (blockSnapshot != null && repeatableRead != this.repeatableRead) {
      throw new PgException("25001", "SET TRANSACTION ISOLATION LEVEL must be called before any query");
    }
    this.repeatableRead = repeatableRead;
  }

  @Override
  public void commit() {
    try {
      if (forwarder != null && forwarder.active()) {
        awaitOwnWrite(forwarder.end(true));
      }
    } finally {
      endBlock(true);
    }
  }

  @Override
  public void rollback() {
    try {
      if (forwarder != null) {
        forwarder.end(false);
      }
    } finally {
      endBlock(false);
    }
  }

  @Override
  public void close() {
    if (forwarder != null) {
      forwarder.close();
    }
  }

  /** Whether a statement changes anything (DDL, INSERT, UPDATE, DELETE): what a replica forwards. */
  private boolean writes(String sql) {
    return Ddl.isDdl(sql) || !Copy.isCopy(sql) && isDml(parsed(Parameters.placeholders(sql).sql()));
  }

  /**
   * A write on a compute that only reads, run on the branch's primary ({@link WriteForwarder}).
   * Under REPEATABLE READ it is refused: the block's snapshot is this compute's, the write's would
   * be the primary's.
   */
  private StatementResult forward(String sql, List<String> parameters) {
    if (repeatableRead && blockXid != 0) {
      throw new PgException(SqlState.READ_ONLY_SQL_TRANSACTION, "cannot execute this statement in a read-only "
          + "transaction", "A REPEATABLE READ transaction on a replica only reads: write in READ COMMITTED, or on "
          + "the primary.", false);
    }
    if (forwarder == null) {
      forwarder = new WriteForwarder(db.computes().primaryAddress(), user);
    }
    WriteForwarder.Forwarded done = forwarder.forward(sql, parameters, blockXid != 0);
    awaitOwnWrite(done.primaryLsn());
    return done.result();
  }

  /** After a forwarded commit: until this compute has followed the log to it (at most ten seconds). */
  private void awaitOwnWrite(long primaryLsn) {
    if (primaryLsn == 0) {
      return;
    }
    try {
      db.transactions().awaitRead(primaryLsn, java.time.Duration.ofSeconds(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void endBlock(boolean commit) {
    if (blockXid != 0) {
      try {
        finish(blockXid, commit);
      } finally {
        blockXid = 0;
        blockSnapshot = null;
      }
    }
  }

  /**
   * Ends a transaction. One that wrote nothing leaves no trace, as in PostgreSQL: no commit record,
   * no wait for the log, since no tuple carries its xid.
   */
  private void finish(long xid, boolean commit) {
    try {
      if (!writing) {
        db.transactions().forget(xid);
      } else if (commit) {
        try {
          db.transactions().commit(xid);
        } catch (RuntimeException e) {
          PgException lost = writerLost(e);
          throw lost != null ? lost : e;
        }
      } else {
        db.transactions().abort(xid);
      }
    } finally {
      endWrite();
    }
  }

  /**
   * A transaction's first change takes the catalog lock shared, so that DDL, which takes it
   * exclusive, never runs beside uncommitted changes to rows; changes to rows wait for each other
   * only on the rows they share (row locks, in {@link #lockCurrent}).
   */
  private void beginWrite() {
    refuseIfReadOnly();
    if (!writing) {
      db.catalogLock().readLock().lock();
      writing = true;
    }
  }

  /** DDL: the catalog lock exclusive, until the transaction ends (a shared hold is given up first: no upgrade deadlock). */
  private void beginCatalogChange() {
    refuseIfReadOnly();
    if (!changingCatalog) {
      if (writing) {
        db.catalogLock().readLock().unlock();
      }
      db.catalogLock().writeLock().lock();
      writing = true;
      changingCatalog = true;
    }
  }

  /** A hot replica or a static compute changes nothing: 25006, as PostgreSQL's standbys say it. */
  private void refuseIfReadOnly() {
    if (db.transactions().readOnly()) {
      throw new PgException(SqlState.READ_ONLY_SQL_TRANSACTION, "cannot execute this statement in a read-only "
          + "transaction", "This compute only reads (a hot replica or a static compute): write through the branch's "
          + "primary.", false);
    }
  }

  private void endWrite() {
    if (changingCatalog) {
      db.catalogLock().writeLock().unlock();
    } else if (writing) {
      db.catalogLock().readLock().unlock();
    }
    writing = false;
    changingCatalog = false;
  }

  @Override
  public List<Column> describe(String sql, int parameterCount) {
    if (Ddl.isDdl(sql) || Copy.isCopy(sql)) {
      return null;
    }
    StatementResult described = psqlCatalog(sql);
    if (described != null) {
      return described.columns();
    }
    Parameters.Placeholders p = Parameters.placeholders(sql);
    if (isDml(parsed(p.sql()))) {
      return null;
    }
    // Describing needs the catalog as the statement would see it, not a transaction of its own.
    statementSnapshot = repeatableRead && blockSnapshot != null ? blockSnapshot
        : db.transactions().snapshot(blockXid);
    try {
      return plan(p.sql()).columns();
    } catch (PgException e) {
      throw e;
    } catch (Exception | AssertionError e) {
      throw translate(e instanceof Exception ex ? ex : new IllegalStateException(e.toString(), e));
    }
  }

  /**
   * {@code folio.as_of}: the session reads the database as it was at an LSN ({@code 0/16B3748}) or
   * at the last commit at or before a time ({@code '2026-11-24 10:00:00 UTC'}), and writes nothing
   * (25006), until it is reset ("").
   */
  @Override
  public void configure(String name, String value) {
    if (!name.equals("folio.as_of")) {
      SqlEngine.super.configure(name, value);
    }
    if (value.isBlank()) {
      db = home;
    } else {
      long lsn = asOf(value.strip());
      if (Lsn.compare(lsn, home.pages().readLsn()) > 0) {
        throw new PgException(SqlState.INVALID_PARAMETER_VALUE, "LSN " + Lsn.format(lsn) + " is beyond this "
            + "branch's log (it ends at " + Lsn.format(home.pages().readLsn()) + ")");
      }
      db = home.at(lsn);
    }
    // Plans read through the tables of the database they were made for.
    plans = new QueryPlans(PARSER, TYPES, home.plansCompiled());
  }

  private long asOf(String value) {
    if (value.matches("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}")) {
      return Lsn.parse(value).value();
    }
    java.time.Instant time;
    try {
      time = PointInTime.parse(value);
    } catch (IllegalArgumentException e) {
      throw new PgException(SqlState.INVALID_PARAMETER_VALUE, "invalid value for folio.as_of: \"" + value
          + "\" (an LSN such as 0/16B3748, or a time such as '2026-11-24 10:00:00 UTC')");
    }
    try {
      return home.pages().lsnAt(time);
    } catch (IllegalArgumentException e) {
      throw new PgException(SqlState.INVALID_PARAMETER_VALUE, e.getMessage());
    }
  }

  @Override
  public void connectedAs(String user, String database) {
    this.user = user;
    this.database = database;
  }

  @Override
  public StatementResult execute(String sql, List<String> parameters) {
    if (Copy.isCopy(sql)) {
      return copy(Copy.parse(sql));
    }
    StatementResult described = psqlCatalog(sql);
    if (described != null) {
      return described;
    }
    if (db.transactions().readOnly() && (forwarder != null && forwarder.active() || writes(sql))
        && db.computes().primaryAddress() != null) {
      return forward(sql, parameters);
    }
    return inTransaction(xid -> {
      if (Ddl.isDdl(sql)) {
        Object statement = Ddl.parse(sql);
        beginCatalogChange();
        return new CatalogChanges(db, statementSnapshot).run(statement, xid, blockXid != 0);
      }
      Parameters.Placeholders p = Parameters.placeholders(sql);
      if (parameters.isEmpty() && p.order().isEmpty()) {
        StatementResult normalized = normalized(p.sql(), xid);
        if (normalized != null) {
          return normalized;
        }
      }
      SqlNode node = parsed(p.sql());
      if (!isDml(node)) {
        return query(plan(p.sql()), p.values(parameters));
      }
      return change(node, p.values(parameters), xid);
    });
  }

  private StatementResult change(SqlNode node, List<String> values, long xid) throws Exception {
    beginWrite();
    return switch (node.getKind()) {
      case INSERT -> insert((SqlInsert) node, values, xid);
      case UPDATE -> update((SqlUpdate) node, values, xid);
      default -> delete((SqlDelete) node, values, xid);
    };
  }

  /** COPY FROM STDIN: checks the table and columns now, loads the rows in one transaction when the data is in. */
  private StatementResult copy(Copy.Statement copy) {
    return inTransaction(checkXid -> {
      Catalog.Entry e = Catalog.existing(db.catalog().tables(statementSnapshot), copy.table());
      TableDef t = e.table();
      int[] targets = new int[copy.columns().isEmpty() ? t.columns().size() : copy.columns().size()];
      for (int i = 0; i < targets.length; i++) {
        targets[i] = copy.columns().isEmpty() ? i : t.index(copy.columns().get(i));
      }
      return StatementResult.copyIn(new CopyIn() {
        @Override
        public int columns() {
          return targets.length;
        }

        @Override
        public StatementResult finish(byte[] data) {
          return inTransaction(xid -> {
            beginWrite();
            return StatementResult.command("COPY " + load(t, targets, copy, data, xid));
          });
        }
      });
    });
  }

  private long load(TableDef t, int[] targets, Copy.Statement copy, byte[] data, long xid) throws Exception {
    HeapRelation heap = db.heap(t);
    long line = copy.format().header() ? 1 : 0;
    for (String[] fields : Copy.rows(new String(data, StandardCharsets.UTF_8), copy.format())) {
      line++;
      if (fields.length != targets.length) {
        throw new PgException("22P04", fields.length < targets.length
            ? "missing data for column \"" + t.columns().get(targets[fields.length]).name() + "\""
            : "extra data after last expected column").withDetail("COPY " + t.name() + ", line " + line);
      }
      Object[] row = new Object[t.columns().size()];
      for (int i = 0; i < targets.length; i++) {
        try {
          row[targets[i]] = t.columns().get(targets[i]).coerce(fields[i]);
        } catch (PgException e) {
          throw e.withDetail("COPY " + t.name() + ", line " + line + ", column " + t.columns().get(targets[i]).name());
        }
      }
      write(t, heap, row, xid, null);
    }
    return line - (copy.format().header() ? 1 : 0);
  }

  /**
   * A simple-protocol statement run with its literals as parameters ({@link Literals}), so that
   * statements differing in their values share one parse and one plan; null when the text has no
   * such literal or cannot run so: it then runs as written (and this form is not tried again if it
   * could not be planned). A value that does not fit the type inferred for its parameter also
   * falls back to the text as written, which types it as PostgreSQL does. Falling back is safe
   * because it can only happen before anything is written: while planning, or while computing the
   * rows a change will write ({@link #beforeWriting}).
   */
  private StatementResult normalized(String sql, long xid) throws Exception {
    Literals.Normalized n = Literals.normalize(sql);
    if (n.values().isEmpty() || literalOnly.contains(n.sql())) {
      return null;
    }
    SqlNode node;
    QueryPlans.Plan plan = null;
    try {
      node = parsed(n.sql());
      if (!isDml(node)) {
        plan = plan(n.sql());
      }
    } catch (Exception | AssertionError e) {
      unparameterizable(n.sql());
      return null;
    }
    normalizedRun = true;
    try {
      return plan != null ? query(plan, n.values()) : change(node, n.values(), xid);
    } catch (Unparameterized e) {
      if (e.planning()) {
        unparameterizable(n.sql());
      }
      return null;
    } catch (PgException e) {
      if (plan != null && e.sqlState().startsWith("22")) {
        return null;
      }
      throw e;
    } finally {
      normalizedRun = false;
    }
  }

  private void unparameterizable(String normalized) {
    literalOnly.add(normalized);
    if (literalOnly.size() > 256) {
      literalOnly.remove(literalOnly.iterator().next());
    }
  }

  /** A normalized change that cannot run with parameters, found before it wrote anything. */
  private static final class Unparameterized extends RuntimeException {
    private final boolean planning;

    Unparameterized(boolean planning, Throwable cause) {
      super(cause);
      this.planning = planning;
    }

    boolean planning() {
      return planning;
    }
  }

  /**
   * The rows a change will write, computed by a query; in a normalized run, a failure to plan the
   * query or to convert a value is reported as {@link Unparameterized}, so that the statement
   * runs again as written.
   */
  private List<Object[]> beforeWriting(String sql, List<String> parameters) throws Exception {
    QueryPlans.Plan plan;
    try {
      plan = plan(sql);
    } catch (Exception | AssertionError e) {
      if (normalizedRun) {
        throw new Unparameterized(true, e);
      }
      throw e;
    }
    try {
      return plans.run(plan, parameters);
    } catch (PgException e) {
      if (normalizedRun && e.sqlState().startsWith("22")) {
        throw new Unparameterized(false, e);
      }
      throw e;
    }
  }

  private static boolean isDml(SqlNode node) {
    return node.getKind() == SqlKind.INSERT || node.getKind() == SqlKind.UPDATE || node.getKind() == SqlKind.DELETE;
  }

  private interface Work<T> {
    T run(long xid) throws Exception;
  }

  /** Runs in the block's transaction, or in a transaction of its own that commits at the end. */
  private <T> T inTransaction(Work<T> work) {
    boolean own = blockXid == 0;
    long xid = own ? db.transactions().begin() : blockXid;
    if (!repeatableRead || own) {
      statementSnapshot = db.transactions().snapshot(xid);
    } else {
      if (blockSnapshot == null) {
        blockSnapshot = db.transactions().snapshot(xid);
      }
      statementSnapshot = blockSnapshot;
    }
    try {
      T result = work.run(xid);
      if (own) {
        finish(xid, true);
      }
      return result;
    } catch (PgException e) {
      Thread.interrupted(); // a cancel has done its work; the abort must not be interrupted too
      if (own) {
        finish(xid, false);
      }
      throw e;
    } catch (Exception | AssertionError e) {
      // Calcite reports some unsupported constructs with an AssertionError: a statement error, not a crash.
      Thread.interrupted();
      if (own) {
        finish(xid, false);
      }
      throw translate(e instanceof Exception ex ? ex : new IllegalStateException(e.toString(), e));
    } finally {
      if (own) {
        endWrite();
      }
    }
  }

  /**
   * The statement parsed, from a session cache: parsing costs more than running a cached plan.
   * The nodes are only read (to tell queries from changes, and to build the query behind a change).
   */
  private SqlNode parsed(String sql) {
    SqlNode node = parsedStatements.get(sql);
    if (node == null) {
      node = parse(sql);
      parsedStatements.put(sql, node);
      if (parsedStatements.size() > 256) {
        parsedStatements.remove(parsedStatements.keySet().iterator().next());
      }
    }
    return node;
  }

  private static SqlNode parse(String sql) {
    try {
      return SqlParser.create(sql, PARSER).parseStmt();
    } catch (SqlParseException e) {
      throw new PgException("42601", "syntax error: " + firstLine(e.getMessage()));
    }
  }

  /** The answer to one of psql's catalog queries, over the catalog as a new snapshot sees it; null for any other. */
  private StatementResult psqlCatalog(String sql) {
    if (!sql.contains("pg_catalog.")) {
      return null;
    }
    Snapshot snapshot = repeatableRead && blockSnapshot != null ? blockSnapshot
        : db.transactions().snapshot(blockXid);
    return PsqlCatalog.answer(sql, db.catalog().state(snapshot).tables(), db.computes().branches(), user);
  }

  /** The cached plan of a query over the tables the statement sees. */
  private QueryPlans.Plan plan(String sql) throws Exception {
    Catalog.State catalog = db.catalog().state(statementSnapshot);
    Map<String, Catalog.Entry> tables = catalog.tables();
    return plans.plan(sql, catalog.signature(), root -> {
      SchemaPlus tids = root.add(TID_SCHEMA, new org.apache.calcite.schema.impl.AbstractSchema());
      root.add("folio", new org.apache.calcite.schema.impl.AbstractSchema())
          .add("compute_nodes", ComputeNodesTable.of(db.computes()));
      CatalogViews.addTo(root, tables, database, db.computes()::branches, user);
      for (Catalog.Entry e : tables.values()) {
        HeapRelation heap = db.heap(e.table());
        root.add(e.table().name(), new FolioTable(e.table(), heap, db::index, db.scans(), () -> statementSnapshot, false));
        tids.add(e.table().name(), new FolioTable(e.table(), heap, db::index, db.scans(), () -> statementSnapshot, true));
      }
    });
  }

  /** The PostgreSQL type a result column of this Calcite type has. */
  static ColumnType columnType(RelDataType type) {
    return switch (type.getSqlTypeName()) {
      case SMALLINT, TINYINT -> ColumnType.INT2;
      case INTEGER -> ColumnType.INT4;
      case BIGINT -> ColumnType.INT8;
      case REAL -> ColumnType.FLOAT4;
      case DOUBLE, FLOAT -> ColumnType.FLOAT8;
      case DECIMAL -> ColumnType.NUMERIC;
      case BOOLEAN -> ColumnType.BOOL;
      case DATE -> ColumnType.DATE;
      case TIMESTAMP -> ColumnType.TIMESTAMP;
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE -> ColumnType.TIMESTAMPTZ;
      case BINARY, VARBINARY -> ColumnType.BYTEA;
      default -> ColumnType.TEXT;
    };
  }

  /**
   * Column names as PostgreSQL gives them: an unnamed expression is named for its function
   * ({@code count}, {@code sum}…) or {@code ?column?}, not Calcite's {@code EXPR$0}.
   */
  static List<String> names(SqlNode validated, RelDataType type) {
    List<String> names = new ArrayList<>();
    SqlNode query = validated instanceof org.apache.calcite.sql.SqlOrderBy o ? o.query : validated;
    SqlNodeList items = query instanceof org.apache.calcite.sql.SqlSelect select ? select.getSelectList() : null;
    for (RelDataTypeField f : type.getFieldList()) {
      String name = f.getName();
      if (name.startsWith("EXPR$") && items != null && f.getIndex() < items.size()) {
        SqlNode item = items.get(f.getIndex());
        // A function names its column (count, sum…); an operator or a literal leaves it ?column?.
        name = item instanceof org.apache.calcite.sql.SqlCall call
            && call.getOperator() instanceof org.apache.calcite.sql.SqlFunction
            ? call.getOperator().getName().toLowerCase(java.util.Locale.ROOT) : "?column?";
      }
      names.add(name);
    }
    return names;
  }

  private StatementResult query(QueryPlans.Plan plan, List<String> parameters) {
    List<Object[]> rows = plans.run(plan, parameters);
    List<String[]> text = new ArrayList<>(rows.size());
    for (Object[] r : rows) {
      String[] t = new String[r.length];
      for (int i = 0; i < r.length; i++) {
        t[i] = plan.types().get(i).text(r[i]);
      }
      text.add(t);
    }
    return new StatementResult(plan.columns(), text, "SELECT " + rows.size(), null);
  }

  /**
   * Runs a query through its cached plan and returns its rows; {@code ?}s in it take
   * {@code parameters} in order (the SELECT behind an UPDATE or DELETE keeps the statement's order).
   */
  private List<Object[]> rows(String sql, List<String> parameters) throws Exception {
    return plans.run(plan(sql), parameters);
  }

  private Catalog.Entry table(SqlNode target) {
    String name = ((SqlIdentifier) target).names.get(((SqlIdentifier) target).names.size() - 1);
    return Catalog.existing(db.catalog().tables(statementSnapshot), name);
  }

  private StatementResult insert(SqlInsert insert, List<String> parameters, long xid) throws Exception {
    TableDef t = table(insert.getTargetTable()).table();
    int[] targets = targets(t, insert.getTargetColumnList());
    List<Object[]> source = constantRows(insert.getSource(), parameters);
    if (source == null) {
      source = beforeWriting(sql(insert.getSource()), parameters);
    }
    HeapRelation heap = db.heap(t);
    for (Object[] values : source) {
      if (values.length != targets.length) {
        throw new PgException("42601", "INSERT has " + values.length + " expressions for " + targets.length
            + " target columns");
      }
      Object[] row = new Object[t.columns().size()];
      for (int i = 0; i < targets.length; i++) {
        row[targets[i]] = t.columns().get(targets[i]).coerce(values[i]);
      }
      write(t, heap, row, xid, null);
    }
    return StatementResult.command("INSERT 0 " + source.size());
  }

  /**
   * CURRENT_TIMESTAMP, LOCALTIMESTAMP, NOW() and CURRENT_DATE as text, now; null for anything else.
   * (pgbench inserts CURRENT_TIMESTAMP beside parameters, which Calcite cannot type in a VALUES.)
   */
  private static String clock(SqlNode item) {
    // The parser leaves CURRENT_TIMESTAMP a name (the validator makes it a call); NOW() is a call.
    String name;
    if (item instanceof SqlIdentifier id && id.isSimple()) {
      name = id.getSimple();
    } else if (item instanceof org.apache.calcite.sql.SqlCall call && call.operandCount() == 0) {
      name = call.getOperator().getName();
    } else {
      return null;
    }
    java.time.LocalDateTime now = java.time.LocalDateTime.now(java.time.ZoneOffset.UTC)
        .truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    return switch (name.toLowerCase(java.util.Locale.ROOT)) {
      case "current_timestamp", "localtimestamp", "now" -> now.toString().replace('T', ' ');
      case "current_date" -> now.toLocalDate().toString();
      default -> null;
    };
  }

  /**
   * The rows of a VALUES list of constants and parameters, evaluated here: planning and compiling
   * a plan for each INSERT would cost more than the insert. Null if the source is anything else.
   */
  private static List<Object[]> constantRows(SqlNode source, List<String> parameters) {
    if (source.getKind() != SqlKind.VALUES) {
      return null;
    }
    List<Object[]> rows = new ArrayList<>();
    for (SqlNode row : ((org.apache.calcite.sql.SqlCall) source).getOperandList()) {
      if (row.getKind() != SqlKind.ROW) {
        return null;
      }
      List<SqlNode> items = ((org.apache.calcite.sql.SqlCall) row).getOperandList();
      Object[] values = new Object[items.size()];
      for (int i = 0; i < values.length; i++) {
        SqlNode item = items.get(i);
        boolean negative = false;
        if (item.getKind() == SqlKind.MINUS_PREFIX) {
          negative = true;
          item = ((org.apache.calcite.sql.SqlCall) item).operand(0);
        }
        if (item instanceof org.apache.calcite.sql.SqlDynamicParam param && !negative) {
          values[i] = parameters.get(param.getIndex());
        } else if (item instanceof org.apache.calcite.sql.SqlNumericLiteral n) {
          values[i] = (negative ? "-" : "") + n.toValue();
        } else if (item instanceof org.apache.calcite.sql.SqlLiteral literal && !negative) {
          values[i] = literal.toValue();
        } else {
          String now = negative ? null : clock(item);
          if (now == null) {
            return null;
          }
          values[i] = now;
        }
      }
      rows.add(values);
    }
    return rows;
  }

  private StatementResult update(SqlUpdate update, List<String> parameters, long xid) throws Exception {
    TableDef t = table(update.getTargetTable()).table();
    int[] targets = targets(t, update.getTargetColumnList());
    StringBuilder q = new StringBuilder("SELECT \"").append(FolioTable.BLOCK).append("\", \"")
        .append(FolioTable.OFFSET).append('"');
    for (TableDef.Column c : t.columns()) {
      q.append(", \"").append(c.name()).append('"');
    }
    for (SqlNode e : update.getSourceExpressionList()) {
      q.append(", ").append(sql(e));
    }
    q.append(" FROM \"").append(TID_SCHEMA).append("\".\"").append(t.name()).append('"');
    Selection selection = new Selection(q.toString(), update.getCondition(), parameters);
    HeapRelation heap = db.heap(t);
    int n = t.columns().size();
    int count = 0;
    for (Object[] selected : beforeWriting(selection.sql(), parameters)) {
      Object[] s = lockCurrent(t, heap, selection, selected, xid);
      if (s == null) {
        continue;
      }
      Object[] row = new Object[n];
      for (int i = 0; i < n; i++) {
        row[i] = t.columns().get(i).coerce(s[2 + i]);
      }
      for (int i = 0; i < targets.length; i++) {
        row[targets[i]] = t.columns().get(targets[i]).coerce(s[2 + n + i]);
      }
      HeapRelation.Tid old = tid(s);
      heap.replace(xid, old, write(t, heap, row, xid, old));
      count++;
    }
    return StatementResult.command("UPDATE " + count);
  }

  private StatementResult delete(SqlDelete delete, List<String> parameters, long xid) throws Exception {
    TableDef t = table(delete.getTargetTable()).table();
    Selection selection = new Selection("SELECT \"" + FolioTable.BLOCK + "\", \"" + FolioTable.OFFSET + "\" FROM \""
        + TID_SCHEMA + "\".\"" + t.name() + "\"", delete.getCondition(), parameters);
    HeapRelation heap = db.heap(t);
    int count = 0;
    for (Object[] selected : beforeWriting(selection.sql(), parameters)) {
      Object[] s = lockCurrent(t, heap, selection, selected, xid);
      if (s != null) {
        heap.delete(xid, tid(s));
        count++;
      }
    }
    return StatementResult.command("DELETE " + count);
  }

  /**
   * The query behind an UPDATE or DELETE: the positions (and values) of the rows it changes, and
   * the same query for one position, to check a row again.
   */
  private record Selection(String sql, String recheck, List<String> parameters) {
    Selection(String select, SqlNode condition, List<String> parameters) {
      this(select + (condition == null ? "" : " WHERE (" + FolioSqlEngine.sql(condition) + ")"),
          select + " WHERE " + (condition == null ? "" : "(" + FolioSqlEngine.sql(condition) + ") AND ") + "\""
              + FolioTable.BLOCK + "\" = ? AND \"" + FolioTable.OFFSET + "\" = ?", parameters);
    }

    List<String> recheckParameters(HeapRelation.Tid tid) {
      List<String> all = new ArrayList<>(parameters);
      all.add(String.valueOf(tid.block()));
      all.add(String.valueOf(tid.offset()));
      return all;
    }
  }

  private static HeapRelation.Tid tid(Object[] selected) {
    return new HeapRelation.Tid((Integer) selected[0], (Integer) selected[1]);
  }

  /**
   * Locks a row an UPDATE or DELETE selected, waiting for a transaction that holds it, and returns
   * what to change it with; null if there is nothing to change. A row that transactions which
   * committed meanwhile have updated is followed along its versions to the newest, and the
   * statement's condition and values are evaluated again on that one (PostgreSQL's READ COMMITTED);
   * a row they deleted is skipped. Under REPEATABLE READ either is a serialization failure.
   */
  private Object[] lockCurrent(TableDef t, HeapRelation heap, Selection selection, Object[] selected, long xid)
      throws Exception {
    HeapRelation.Tid tid = tid(selected);
    boolean moved = false;
    while (true) {
      db.transactions().lockRow(xid, t.relation(), tid);
      HeapRelation.Version v = heap.version(tid);
      if (v.xmax() == xid) {
        return null; // this transaction changed it already
      }
      // A deleter that aborted, or died with a killed compute, left the row as it was.
      boolean changed = v.xmax() != 0 && db.transactions().status(v.xmax()) == XactStatus.COMMITTED;
      if (!changed) {
        return moved ? evaluateAgain(selection, tid, xid) : selected;
      }
      if (repeatableRead) {
        throw new TransactionConflict(TransactionConflict.SERIALIZATION_FAILURE,
            "could not serialize access due to concurrent " + (v.updatedTo() == null ? "delete" : "update"));
      }
      if (v.updatedTo() == null) {
        return null;
      }
      tid = v.updatedTo();
      moved = true;
    }
  }

  /** The statement's query on one (newest, locked) version of a row, as of now; null if it no longer matches. */
  private Object[] evaluateAgain(Selection selection, HeapRelation.Tid tid, long xid) throws Exception {
    Snapshot statement = statementSnapshot;
    statementSnapshot = db.transactions().snapshot(xid);
    try {
      List<Object[]> again = rows(selection.recheck(), selection.recheckParameters(tid));
      return again.isEmpty() ? null : again.get(0);
    } finally {
      statementSnapshot = statement;
    }
  }

  /**
   * Checks NOT NULL and unique indexes, then inserts the row and its index entries; returns where
   * the row went. {@code replacing}: the version an UPDATE replaces, which holds the same key
   * legitimately. A key held by a row whose inserter or deleter is still running waits for it to
   * end, then looks again, as PostgreSQL does; the check and the insert are one step for every
   * writer, so two transactions cannot both insert a key.
   */
  private HeapRelation.Tid write(TableDef t, HeapRelation heap, Object[] row, long xid, HeapRelation.Tid replacing)
      throws InterruptedException {
    for (int i = 0; i < row.length; i++) {
      TableDef.Column c = t.columns().get(i);
      if (c.notNull() && row[i] == null) {
        throw new PgException("23502", "null value in column \"" + c.name() + "\" of relation \"" + t.name()
            + "\" violates not-null constraint");
      }
    }
    byte[][] keys = new byte[t.indexes().size()][];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = t.key(t.indexes().get(i), row);
    }
    while (true) {
      long running;
      synchronized (db.pages()) {
        running = keyHolder(t, heap, row, keys, xid, replacing);
        if (running == 0) {
          HeapRelation.Tid tid = heap.insert(xid, t.encode(row));
          for (int i = 0; i < keys.length; i++) {
            db.index(t.indexes().get(i)).insert(keys[i], tid);
          }
          return tid;
        }
      }
      db.transactions().awaitEnd(xid, running);
    }
  }

  /**
   * 23505 if a unique index already holds one of the row's keys for a row that exists now (whatever
   * the snapshot); the id of a running transaction that may still insert or delete such a row, to
   * wait for; else 0.
   */
  private long keyHolder(TableDef t, HeapRelation heap, Object[] row, byte[][] keys, long xid,
      HeapRelation.Tid replacing) {
    for (int i = 0; i < keys.length; i++) {
      TableDef.IndexDef def = t.indexes().get(i);
      if (!def.unique() || def.hasNull(row)) {
        continue;
      }
      for (HeapRelation.Tid other : db.index(def).scan(keys[i], true, keys[i], true)) {
        if (other.equals(replacing)) {
          continue;
        }
        HeapRelation.Version v = heap.version(other);
        if (v.xmin() != xid) {
          if (db.transactions().running(v.xmin())) {
            return v.xmin();
          }
          if (db.transactions().status(v.xmin()) != XactStatus.COMMITTED) {
            continue;
          }
        }
        if (v.xmax() == xid) {
          continue;
        }
        if (v.xmax() != 0) {
          if (db.transactions().running(v.xmax())) {
            return v.xmax();
          }
          if (db.transactions().status(v.xmax()) == XactStatus.COMMITTED) {
            continue;
          }
        }
        throw new PgException("23505", "duplicate key value violates unique constraint \"" + def.name() + "\"")
            .withDetail("Key " + t.keyText(def, row) + " already exists.");
      }
    }
    return 0;
  }

  private static int[] targets(TableDef t, SqlNodeList columns) {
    if (columns == null || columns.isEmpty()) {
      int[] all = new int[t.columns().size()];
      Arrays.setAll(all, i -> i);
      return all;
    }
    int[] out = new int[columns.size()];
    for (int i = 0; i < out.length; i++) {
      SqlIdentifier id = (SqlIdentifier) columns.get(i);
      out[i] = t.index(id.names.get(id.names.size() - 1));
    }
    return out;
  }

  private static String sql(SqlNode node) {
    return node.toSqlString(CalciteSqlDialect.DEFAULT).getSql();
  }

  private static PgException translate(Exception e) {
    Throwable c = e;
    while (c.getCause() != null && !(c instanceof PgException)) {
      if (c instanceof ValidationException || c instanceof SqlParseException) {
        break;
      }
      c = c.getCause();
    }
    if (c instanceof PgException p) {
      return p;
    }
    if (c instanceof TransactionConflict t) {
      return new PgException(t.sqlState(), t.getMessage());
    }
    PgException lost = writerLost(e);
    if (lost != null) {
      return lost;
    }
    if (canceled(e)) {
      return new PgException("57014", "canceling statement due to user request");
    }
    String message = firstLine(String.valueOf(e instanceof ValidationException v && v.getCause() != null
        ? v.getCause().getMessage() : c.getMessage()));
    if (message.contains("Object '") && message.contains("not found")) {
      return new PgException("42P01", "relation " + message.replaceAll(".*Object '([^']+)'.*", "\"$1\"")
          + " does not exist");
    }
    if (message.contains("depends on itself through the following columns")) {
      // Babel resolves an unknown name against the select list's aliases first, and says this.
      return new PgException("42703", "column " + message.replaceAll(".*The definition of column '([^']+)'.*",
          "\"$1\"") + " does not exist");
    }
    if (message.contains("Column '") && message.contains("not found")) {
      return new PgException("42703", "column " + message.replaceAll(".*Column '([^']+)'.*", "\"$1\"")
          + " does not exist");
    }
    if (e instanceof ValidationException || c instanceof SQLException) {
      return new PgException("42804", message);
    }
    LOG.error("Unexpected failure of a statement", e);
    return new PgException("XX000", message);
  }

  /**
   * The end of the session when this compute's WAL writer can write no more (a newer primary fenced
   * it, or a flush failed): FATAL 57P01, so that the client reconnects (through the gateway, to a
   * compute that can write). Nothing unacknowledged is half in the log; null for other failures.
   */
  private static PgException writerLost(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof WalWriterException w) {
        return new PgException("57P01", "terminating connection: this compute can no longer write to the log ("
            + w.getMessage() + "); the transaction did not commit unless a reconnected session finds it", null, true);
      }
    }
    return null;
  }

  /** Whether the statement stopped because its session was canceled (its thread interrupted). */
  private static boolean canceled(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof InterruptedException || c instanceof java.util.concurrent.CancellationException
          || c instanceof io.grpc.StatusRuntimeException s && s.getStatus().getCode() == io.grpc.Status.Code.CANCELLED) {
        return true;
      }
    }
    return false;
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
