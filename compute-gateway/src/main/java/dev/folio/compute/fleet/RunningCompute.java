package dev.folio.compute.fleet;

import dev.folio.compute.pgwire.FrontendMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.List;

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

  /** Whether it runs in the gateway's JVM and can {@link #adopt} a client connection. */
  default boolean inProcess() {
    return false;
  }

  /**
   * Takes over a client connection whose startup packet the gateway read (see {@code
   * PgServer#adopt}); only a compute {@link #inProcess} can.
   */
  default void adopt(Channel client, FrontendMessage.Startup startup, List<ByteBuf> early) {
    throw new UnsupportedOperationException("a compute in another process cannot take over a connection");
  }

  /** Stops it: sessions still open are closed; every acknowledged commit is already in the log. */
  @Override
  void close();
}
