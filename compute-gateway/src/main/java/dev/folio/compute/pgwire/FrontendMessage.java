package dev.folio.compute.pgwire;

import java.util.List;
import java.util.Map;

/**
 * What a PostgreSQL client sends (protocol 3.0), decoded by {@link FrontendDecoder}. Values of
 * parameters stay bytes: their format (text or binary) is known only to the statement.
 */
public sealed interface FrontendMessage {

  /** Asks to cancel the query running on another connection. */
  record CancelRequest(int processId, int secretKey) implements FrontendMessage {}

  /** Protocol version and parameters: user, database, options, and settings such as DateStyle. */
  record Startup(int protocol, Map<String, String> parameters) implements FrontendMessage {}

  /** A password, or a SASL initial response or response; the state of the exchange says which. */
  record Password(byte[] payload) implements FrontendMessage {}

  /** Simple query: one string, possibly several statements. */
  record Query(String sql) implements FrontendMessage {}

  record Parse(String statement, String sql, int[] parameterTypes) implements FrontendMessage {}

  record Bind(String portal, String statement, short[] parameterFormats, List<byte[]> values, short[] resultFormats)
      implements FrontendMessage {}

  /** {@code kind} is 'S' (statement) or 'P' (portal). */
  record Describe(char kind, String name) implements FrontendMessage {}

  record Execute(String portal, int maxRows) implements FrontendMessage {}

  record Close(char kind, String name) implements FrontendMessage {}

  record Sync() implements FrontendMessage {}

  record Flush() implements FrontendMessage {}

  record Terminate() implements FrontendMessage {}

  record CopyData(byte[] data) implements FrontendMessage {}

  record CopyDone() implements FrontendMessage {}

  record CopyFail(String message) implements FrontendMessage {}
}
