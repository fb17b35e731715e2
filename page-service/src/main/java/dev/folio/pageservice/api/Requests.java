package dev.folio.pageservice.api;

import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.schemas.wal.Fork;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns the fields of a request into Folio's types, or refuses them with INVALID_ARGUMENT and
 * what is wrong: a request never reaches the reader with a value it would have to guess about.
 */
final class Requests {
  private static final Pattern TENANT = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

  private Requests() {}

  static String tenant(String tenant) {
    if (tenant == null || !TENANT.matcher(tenant).matches()) {
      throw ServiceError.invalid("tenant \"" + tenant + "\" is not 1 to 63 lowercase letters, digits, '_' or '-'");
    }
    return tenant;
  }

  static TimelineId timeline(String timeline) {
    try {
      return TimelineId.parse(timeline);
    } catch (RuntimeException e) {
      throw ServiceError.invalid("timeline \"" + timeline + "\" is not 32 hex digits");
    }
  }

  static PageKey key(dev.folio.schemas.pageservice.v1.PageKey key) {
    if (key == null) {
      throw ServiceError.invalid("the page key is missing");
    }
    int database = unsigned31("database", key.getDatabase());
    int relation = unsigned31("relation", key.getRelation());
    int block = unsigned31("block", key.getBlock());
    Fork fork;
    try {
      fork = Fork.valueOf(key.getFork().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ServiceError.invalid("fork \"" + key.getFork() + "\" is not one of main, fsm, vm, init, meta");
    }
    return new PageKey(database, relation, fork, block);
  }

  static dev.folio.schemas.pageservice.v1.PageKey toProto(PageKey key) {
    return dev.folio.schemas.pageservice.v1.PageKey.newBuilder().setDatabase(key.database())
        .setRelation(key.relation()).setFork(key.fork().name().toLowerCase(Locale.ROOT)).setBlock(key.block()).build();
  }

  static long lsn(String field, long lsn) {
    if (lsn == 0) {
      throw ServiceError.invalid(field + " is 0, which is not an LSN");
    }
    return lsn;
  }

  private static int unsigned31(String field, long value) {
    if (value < 0 || value > Integer.MAX_VALUE) {
      throw ServiceError.invalid(field + " " + value + " is out of range (0 to " + Integer.MAX_VALUE + ")");
    }
    return (int) value;
  }
}
