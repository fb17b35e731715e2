package dev.folio.format.layer;

/** A layer as the timeline index lists it: its name (which says what it holds) and its size. */
public record LayerDescriptor(LayerName name, long sizeBytes, long entries) {
  public static LayerDescriptor of(LayerName name, LayerSummary summary) {
    return new LayerDescriptor(name, summary.fileLength(), summary.entries());
  }

  public String fileName() {
    return name.toString();
  }
}
