package dev.folio.format.page;

/** What a page holds; stored in byte 14 of the page header. */
public enum PageType {
  HEAP(1, true),
  BTREE(2, true),
  META(3, false),
  CLOG(4, false),
  CONTROL(5, false);

  private static final PageType[] BY_CODE = new PageType[6];

  static {
    for (PageType t : values()) {
      BY_CODE[t.code] = t;
    }
  }

  private final int code;
  private final boolean linePointers;

  PageType(int code, boolean linePointers) {
    this.code = code;
    this.linePointers = linePointers;
  }

  public int code() {
    return code;
  }

  /** Slotted pages (heap, b-tree) hold items behind line pointers; the others a fixed payload. */
  public boolean hasLinePointers() {
    return linePointers;
  }

  /** The type with this code, or null. */
  public static PageType fromCode(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }
}
