package dev.folio.pageservice.storage;

import dev.folio.pageservice.api.ServiceError;
import io.grpc.Status;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The object store as the page service reads it: Hadoop S3A ({@code s3a://}) or any Hadoop file
 * system. S3A retries transient failures itself (a few attempts, short backoff, set here); what
 * still fails becomes {@code UNAVAILABLE} with the cause, so that a compute can retry later.
 */
public final class ObjectStore implements AutoCloseable {
  private final FileSystem fs;

  public ObjectStore(String root, Map<String, String> hadoopProperties) throws IOException {
    Configuration conf = new Configuration();
    // Fail over in seconds, not minutes: a compute waits on every page.
    conf.set("fs.s3a.retry.limit", "3");
    conf.set("fs.s3a.retry.interval", "200ms");
    conf.set("fs.s3a.attempts.maximum", "2");
    conf.set("fs.s3a.connection.establish.timeout", "2s");
    conf.set("fs.s3a.connection.timeout", "10s");
    // Layers are read in small ranges at random places.
    conf.set("fs.s3a.experimental.input.fadvise", "random");
    conf.set("fs.s3a.readahead.range", "0");
    hadoopProperties.forEach(conf::set);
    this.fs = FileSystem.newInstance(URI.create(root), conf);
  }

  /** The object's bytes, or null if there is none. */
  public byte[] readIfExists(String path) {
    try (InputStream in = fs.open(new Path(path))) {
      return in.readAllBytes();
    } catch (FileNotFoundException e) {
      return null;
    } catch (IOException e) {
      throw unavailable("read " + path, e);
    }
  }

  /** Names of the objects directly under {@code directory}, sorted; empty if there are none. */
  public List<String> list(String directory) {
    List<String> names = new ArrayList<>();
    try {
      for (FileStatus s : fs.listStatus(new Path(directory))) {
        names.add(s.getPath().getName());
      }
    } catch (FileNotFoundException e) {
      return names;
    } catch (IOException e) {
      throw unavailable("list " + directory, e);
    }
    names.sort(null);
    return names;
  }

  /**
   * Reads {@code length} bytes at {@code position} of an object of {@code size} bytes: one ranged
   * GET. Giving S3A the size spares it the HEAD request it would otherwise send first.
   */
  public void readRange(String path, long size, long position, byte[] dst, int offset, int length) {
    try (FSDataInputStream in = fs.openFile(new Path(path))
        .opt("fs.option.openfile.length", Long.toString(size))
        .opt("fs.option.openfile.read.policy", "random")
        .build().get()) {
      in.readFully(position, dst, offset, length);
    } catch (IOException e) {
      throw unavailable("read " + length + " bytes at " + position + " of " + path, e);
    } catch (ExecutionException e) {
      IOException cause = e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
      throw unavailable("open " + path, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable("open " + path, new InterruptedIOException("interrupted"));
    }
  }

  public void write(String path, byte[] bytes) {
    try (var out = fs.create(new Path(path), false)) {
      out.write(bytes);
    } catch (IOException e) {
      throw unavailable("write " + path, e);
    }
  }

  /** Writes {@code path} whether or not it exists: one PUT, which readers see whole, old or new. */
  public void replace(String path, byte[] bytes) {
    try (var out = fs.create(new Path(path), true)) {
      out.write(bytes);
    } catch (IOException e) {
      throw unavailable("write " + path, e);
    }
  }

  /** Deletes an object; false if there was none. */
  public boolean delete(String path) {
    try {
      return fs.delete(new Path(path), false);
    } catch (IOException e) {
      throw unavailable("delete " + path, e);
    }
  }

  private static ServiceError unavailable(String what, IOException e) {
    return new ServiceError(Status.Code.UNAVAILABLE, "STORAGE_UNAVAILABLE",
        "could not " + what + ": " + e.getMessage(), e);
  }

  @Override
  public void close() throws IOException {
    fs.close();
  }
}
