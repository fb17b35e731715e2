package dev.folio.compute.fleet;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * A moment as people write it to Folio ({@code SET folio.as_of}, {@code --at-time},
 * {@code --restore-from-time}, the management API): ISO-8601 ({@code 2026-11-29T10:00:00Z}, or with
 * an offset), or PostgreSQL's way ({@code 2026-11-29 10:00:00 UTC}, fractions of a second allowed);
 * a time without a zone is UTC.
 */
public final class PointInTime {
  private PointInTime() {}

  /** The moment; IllegalArgumentException, naming the forms it takes, for anything else. */
  public static Instant parse(String text) {
    String iso = text.strip().replaceFirst("(?i)\\s+UTC$", "Z").replaceFirst(" ", "T");
    try {
      return Instant.parse(iso.endsWith("Z") || iso.matches(".*[+-]\\d\\d:\\d\\d$") ? iso : iso + "Z");
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not a time: \"" + text + "\" (give '2026-11-29 10:00:00 UTC' or "
          + "2026-11-29T10:00:00Z)");
    }
  }
}
