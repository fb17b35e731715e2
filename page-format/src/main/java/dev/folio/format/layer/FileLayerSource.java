package dev.folio.format.layer;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A layer file on local disk, read with positional reads. */
public final class FileLayerSource implements LayerSource {
  private final Path path;
  private final FileChannel channel;

  public FileLayerSource(Path path) throws IOException {
    this.path = path;
    this.channel = FileChannel.open(path, StandardOpenOption.READ);
  }

  @Override
  public String name() {
    return path.toString();
  }

  @Override
  public long size() throws IOException {
    return channel.size();
  }

  @Override
  public void readFully(long position, byte[] dst, int offset, int length) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(dst, offset, length);
    while (buf.hasRemaining()) {
      int n = channel.read(buf, position + buf.position() - offset);
      if (n < 0) {
        throw new EOFException(path + " ends at " + (position + buf.position() - offset) + ", before "
            + (position + length));
      }
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
