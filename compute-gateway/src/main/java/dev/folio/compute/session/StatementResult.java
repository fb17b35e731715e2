package dev.folio.compute.session;

import java.util.List;

/**
 * What one statement gave: rows in text form (when {@code columns} is not null), the command tag
 * (e.g. {@code SELECT 3}, {@code BEGIN}), and a warning for the client, if any; or, for COPY FROM
 * STDIN, the copy that waits for its data.
 *
 * @param notice a NoticeResponse to send before the result: {@code {sqlstate, message}}, or null
 */
public record StatementResult(List<Column> columns, List<String[]> rows, String commandTag, String[] notice,
    CopyIn copyIn) {
  public StatementResult(List<Column> columns, List<String[]> rows, String commandTag, String[] notice) {
    this(columns, rows, commandTag, notice, null);
  }

  public static StatementResult command(String tag) {
    return new StatementResult(null, List.of(), tag, null);
  }

  public static StatementResult copyIn(CopyIn copy) {
    return new StatementResult(null, List.of(), null, null, copy);
  }

  public StatementResult withNotice(String sqlState, String message) {
    return new StatementResult(columns, rows, commandTag, new String[] {sqlState, message});
  }
}
