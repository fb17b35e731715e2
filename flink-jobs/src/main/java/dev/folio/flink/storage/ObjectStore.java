package dev.folio.flink.storage;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * The object store as the job sees it, through Flink's file systems: {@code s3a://} paths go to
 * S3 through the cluster's S3 plugin (Hadoop S3A inside), so the job carries no S3 client of its
 * own and uses whatever endpoint and credentials the cluster is configured with.
 */
public final class ObjectStore {
  private ObjectStore() {}

  private static FileSystem fs(String path) throws IOException {
    return FileSystem.get(URI.create(path));
  }

  /** Copies a local file to {@code target}, which must not exist yet. */
  public static void upload(java.nio.file.Path local, String target) throws IOException {
    try (FSDataOutputStream out = fs(target).create(new Path(target), FileSystem.WriteMode.NO_OVERWRITE)) {
      Files.copy(local, out);
    }
  }

  /** Writes {@code bytes} to {@code target}, which must not exist yet. */
  public static void write(String target, byte[] bytes) throws IOException {
    try (OutputStream out = fs(target).create(new Path(target), FileSystem.WriteMode.NO_OVERWRITE)) {
      out.write(bytes);
    }
  }

  /** The object's bytes, or null if there is none. */
  public static byte[] readIfExists(String path) throws IOException {
    try (InputStream in = fs(path).open(new Path(path))) {
      return in.readAllBytes();
    } catch (FileNotFoundException e) {
      return null;
    }
  }

  /** Names of the objects directly under {@code directory}; empty if there are none. */
  public static List<String> list(String directory) throws IOException {
    return entries(directory).stream().map(Entry::name).toList();
  }

  /** An object or folder directly under a folder, and when it was last written (0 for a folder). */
  public record Entry(String name, long sizeBytes, long modifiedMillis, boolean directory) {}

  /** What is directly under {@code directory}, with times; empty if nothing is. */
  public static List<Entry> entries(String directory) throws IOException {
    List<Entry> entries = new ArrayList<>();
    FileStatus[] statuses;
    try {
      statuses = fs(directory).listStatus(new Path(directory));
    } catch (FileNotFoundException e) {
      return entries;
    }
    if (statuses != null) {
      for (FileStatus s : statuses) {
        entries.add(new Entry(s.getPath().getName(), s.getLen(), s.getModificationTime(), s.isDir()));
      }
    }
    return entries;
  }

  /** Deletes an object, or a folder and everything under it; nothing there is fine. */
  public static void delete(String path, boolean recursive) throws IOException {
    fs(path).delete(new Path(path), recursive);
  }
}
