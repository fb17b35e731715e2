package dev.folio.pageservice.storage;

import dev.folio.format.layer.LayerSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.nio.charset.StandardCharsets;

/**
 * Layer files read with ranged GETs, through a bounded cache on local disk. A layer is cut into
 * chunks of {@link #CHUNK_BYTES}; a read fetches the chunks it touches that are not on disk yet
 * (one GET each) and keeps them in files named for (object, chunk), least recently used first out
 * when the cache passes its size. Layers are immutable, so a cached chunk never goes stale.
 *
 * <p>Hand-written, not Caffeine: entries are files whose deletion must follow eviction exactly,
 * and a read must not see a chunk half written (each is written beside and then moved in place).
 */
public final class LayerCache {
  static final int CHUNK_BYTES = 256 * 1024;

  private final ObjectStore store;
  private final Path directory;
  private final long maxBytes;
  private final LinkedHashMap<String, Long> chunks = new LinkedHashMap<>(1024, 0.75f, true);
  private long bytes;
  private final Counter hits;
  private final Counter misses;
  private final Counter bytesFetched;

  public LayerCache(ObjectStore store, Path directory, long maxBytes, MeterRegistry registry) throws IOException {
    this.store = store;
    this.directory = Files.createDirectories(directory);
    this.maxBytes = maxBytes;
    try (var old = Files.list(directory)) {
      for (Path f : old.toList()) {
        Files.deleteIfExists(f);
      }
    }
    hits = Counter.builder("folio.pageservice.layer.cache.hits").description("layer chunks read from local disk")
        .register(registry);
    misses = Counter.builder("folio.pageservice.layer.cache.misses").description("layer chunks fetched from S3")
        .register(registry);
    bytesFetched = Counter.builder("folio.pageservice.s3.bytes").description("bytes read from the object store")
        .baseUnit("bytes").register(registry);
    Gauge.builder("folio.pageservice.layer.cache.bytes", this, c -> c.cachedBytes()).baseUnit("bytes")
        .description("bytes of layer chunks on local disk").register(registry);
  }

  /** A source for the object at {@code path}, of {@code size} bytes (known from the index). */
  public LayerSource open(String path, String name, long size) {
    return new LayerSource() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public long size() {
        return size;
      }

      @Override
      public void readFully(long position, byte[] dst, int offset, int length) throws IOException {
        if (position < 0 || position + length > size) {
          throw new IOException(name + ": read of " + length + " bytes at " + position + " is past its end (" + size
              + " bytes)");
        }
        while (length > 0) {
          long chunk = position / CHUNK_BYTES;
          int within = (int) (position % CHUNK_BYTES);
          int n = Math.min(length, CHUNK_BYTES - within);
          readChunk(path, name, chunk, size, within, dst, offset, n);
          position += n;
          offset += n;
          length -= n;
        }
      }
    };
  }

  private void readChunk(String path, String name, long chunk, long size, int within, byte[] dst, int offset, int n)
      throws IOException {
    String key = UUID.nameUUIDFromBytes((path + "#" + chunk).getBytes(StandardCharsets.UTF_8)).toString();
    Path file = directory.resolve(key);
    boolean cached;
    synchronized (this) {
      cached = chunks.get(key) != null;
    }
    if (cached) {
      // Once open, the chunk can be evicted (deleted) and still be read to the end.
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        ByteBuffer buf = ByteBuffer.wrap(dst, offset, n);
        long at = within;
        while (buf.hasRemaining()) {
          int read = ch.read(buf, at);
          if (read < 0) {
            throw new IOException(name + ": cached chunk " + chunk + " is short");
          }
          at += read;
        }
        hits.increment();
        return;
      } catch (NoSuchFileException evictedMeanwhile) {
        // Fetch it again below.
      }
    }
    misses.increment();
    long start = chunk * CHUNK_BYTES;
    int length = (int) Math.min(CHUNK_BYTES, size - start);
    byte[] bytes = new byte[length];
    store.readRange(path, size, start, bytes, 0, length);
    bytesFetched.increment(length);
    System.arraycopy(bytes, within, dst, offset, n);
    Path partial = directory.resolve(key + "." + Thread.currentThread().getId() + ".part");
    Files.write(partial, bytes);
    Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    synchronized (this) {
      if (chunks.put(key, (long) length) == null) {
        this.bytes += length;
      }
      evict(key);
    }
  }

  /** Drops the least recently used chunks, never {@code keep}, until the cache fits. */
  private void evict(String keep) {
    var it = chunks.entrySet().iterator();
    while (bytes > maxBytes && it.hasNext()) {
      Map.Entry<String, Long> eldest = it.next();
      if (eldest.getKey().equals(keep)) {
        continue;
      }
      it.remove();
      bytes -= eldest.getValue();
      try {
        Files.deleteIfExists(directory.resolve(eldest.getKey()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  synchronized long cachedBytes() {
    return bytes;
  }
}
