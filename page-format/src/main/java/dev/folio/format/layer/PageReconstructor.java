package dev.folio.format.layer;

import dev.folio.format.PageKey;
import dev.folio.format.page.Page;
import dev.folio.format.redo.Redo;
import java.io.IOException;
import java.util.Optional;

/**
 * Rebuilds a page at an LSN: the newest image at or before it plus the records after the image,
 * folded with {@link Redo}; or, when a will_init record comes after the image, from that record.
 */
public final class PageReconstructor {
  private PageReconstructor() {}

  /**
   * The page {@code key} as of {@code lsn}: empty if nothing was ever written to it by then. A
   * history that neither starts with an image nor with a will_init record is refused by redo
   * ({@code REDO_NO_BASE}).
   */
  public static Optional<Page> pageAt(LayerMap layers, PageKey key, long lsn) throws IOException {
    return reconstruct(layers.collect(key, lsn));
  }

  public static Optional<Page> reconstruct(LayerMap.Inputs inputs) {
    if (inputs.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(Redo.applyAll(inputs.image(), inputs.records()));
  }
}
