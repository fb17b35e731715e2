package dev.folio.compute.session;

import java.util.List;

/**
 * What one statement gave: rows in text form (when {@code columns} is not null), the command tag
 * (e.g. {@code SELECT 3}, {@code BEGIN}), and a warning for the client, if any.
 *
 * @param notice a NoticeResponse to send before the result: {@code {sqlstate, message}}, or null
 */
public record StatementResult(List<Column> columns, List<String[]> rows, String commandTag, String[] notice) {
  public static StatementResult command(String tag) {
    return new StatementResult(null, List.of(), tag, null);
  }

  public StatementResult withNotice(String sqlState, String message) {
    return new StatementResult(columns, rows, commandTag, new String[] {sqlState, message});
  }
}
