package dev.folio.flink.replay;

/** Why a replay cannot run, with a code a client can act on. */
public final class ReplayException extends RuntimeException {
  /** The timeline or one of its ancestors has no index. */
  public static final String TIMELINE_NOT_FOUND = "TIMELINE_NOT_FOUND";
  /** The target LSN is outside the timeline's history. */
  public static final String LSN_OUT_OF_RANGE = "LSN_OUT_OF_RANGE";
  /** Records the replay needs are neither archived nor still in Kafka. */
  public static final String WAL_GAP = "WAL_GAP";
  /** The timeline was itself rebuilt by a replay: its history below that point is in no log. */
  public static final String NO_LOG_BELOW = "NO_LOG_BELOW";

  private final String code;

  public ReplayException(String code, String message) {
    super(message);
    this.code = code;
  }

  public String code() {
    return code;
  }
}
