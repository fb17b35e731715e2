package dev.folio.format.layer;

/** The two kinds of layer file, with their code in the summary and their file extension. */
public enum LayerKind {
  /** WAL records of a key range over an LSN range. */
  DELTA(1, "delta"),
  /** Page images of a key range at one LSN. */
  IMAGE(2, "image");

  private final int code;
  private final String extension;

  LayerKind(int code, String extension) {
    this.code = code;
    this.extension = extension;
  }

  public int code() {
    return code;
  }

  public String extension() {
    return extension;
  }

  public static LayerKind fromCode(int code) {
    for (LayerKind k : values()) {
      if (k.code == code) {
        return k;
      }
    }
    return null;
  }

  public static LayerKind fromExtension(String extension) {
    for (LayerKind k : values()) {
      if (k.extension.equals(extension)) {
        return k;
      }
    }
    return null;
  }
}
