package dev.folio.format.layer;

import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.page.Page;
import dev.folio.format.page.PageCorruptedException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * An image layer: the page images of a key range as of one LSN, sorted by key. Each image is the
 * page's newest version at or before that LSN; its own checksum is verified when it is read.
 */
public final class ImageLayer implements Closeable {
  private final LayerName name;
  private final LayerFile file;

  private ImageLayer(LayerName name, LayerFile file) {
    this.name = name;
    this.file = file;
  }

  /** Opens an image layer and checks that its summary agrees with its name. */
  public static ImageLayer open(LayerName name, LayerSource source) throws IOException {
    LayerFile file = LayerFile.open(source);
    LayerSummary s = file.summary();
    if (name.kind() != LayerKind.IMAGE || s.kind() != LayerKind.IMAGE || s.lsnStart() != name.lsnStart()
        || !s.firstKey().equals(name.firstKey()) || !s.lastKey().equals(name.lastKey())) {
      file.close();
      throw new LayerCorruptedException(source.name(), 0, "the summary " + s + " does not match the name " + name);
    }
    return new ImageLayer(name, file);
  }

  public LayerName name() {
    return name;
  }

  /** The LSN the images are as of. */
  public long lsn() {
    return name.lsnStart();
  }

  public LayerFile file() {
    return file;
  }

  /** The image of {@code key}, if this layer has one. */
  public Optional<Page> image(PageKey key) throws IOException {
    List<LayerFile.Entry> entries = file.lookup(key, 0, lsn());
    if (entries.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(decode(entries.get(entries.size() - 1)));
  }

  Page decode(LayerFile.Entry e) {
    try {
      Page page = Page.of(e.value());
      if (page.lsnValue() != e.lsn()) {
        throw new LayerCorruptedException(file.name(), 0, "the index lists " + e.key() + " at " + Lsn.format(e.lsn())
            + " but the page is at " + page.lsn());
      }
      return page;
    } catch (PageCorruptedException ex) {
      throw new LayerCorruptedException(file.name(), 0, "the image of " + e.key() + " is corrupt: " + ex.getMessage());
    }
  }

  @Override
  public void close() throws IOException {
    file.close();
  }

  /** Writes an image layer at one LSN; pages come in key order. */
  public static final class Writer implements Closeable {
    private final LayerWriter writer;
    private final String generation;

    public Writer(Path path, TimelineId timeline, long lsn, String generation) throws IOException {
      this.writer = new LayerWriter(path, LayerKind.IMAGE, timeline, lsn, lsn + 1, LayerWriter.DEFAULT_DATA_BLOCK_SIZE);
      this.generation = generation;
    }

    /** Adds the image of {@code key}: its newest version at or before the layer's LSN. */
    public void add(PageKey key, Page page) throws IOException {
      byte[] bytes = new byte[Page.SIZE];
      page.copyTo(bytes, 0);
      writer.add(key, page.lsnValue(), true, bytes);
    }

    public long entries() {
      return writer.entries();
    }

    public LayerDescriptor finish() throws IOException {
      LayerSummary s = writer.finish();
      return LayerDescriptor.of(LayerName.image(s.firstKey(), s.lastKey(), s.lsnStart(), generation), s);
    }

    @Override
    public void close() throws IOException {
      writer.close();
    }
  }
}
