package dev.folio.compute.fleet;

import java.util.Locale;

/**
 * What a compute is to its branch: the primary (the one that writes, fencing any earlier one), a
 * hot replica (reads at the newest LSN it has followed the log to), or a static compute (reads
 * at one fixed LSN).
 */
public enum Role {
  PRIMARY, REPLICA, STATIC;

  /** As the registry shows it: {@code primary}, {@code replica}, {@code static}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** From its label; 22023 for anything else. */
  public static Role of(String label) {
    for (Role r : values()) {
      if (r.label().equals(label)) {
        return r;
      }
    }
    throw new IllegalArgumentException("a role is primary, replica or static, not \"" + label + "\"");
  }
}
