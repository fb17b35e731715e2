package dev.folio.compute.fleet;

/** A compute as the gateway that started it sees it: where it listens, and what it reports. */
public interface RunningCompute extends AutoCloseable {
  String host();

  int port();

  /** Null while it can serve; else why not (its writer was fenced, its process is gone…). */
  String problem();

  /** The newest LSN it reads at. */
  long lsn();

  long bufferCacheBytes();

  /** Buffer cache hits over all page reads since it started; 0 before the first. */
  double hitRatio();

  /** Stops it: sessions still open are closed; every acknowledged commit is already in the log. */
  @Override
  void close();
}
