package dev.folio.compute.fleet;

import java.time.Instant;

/**
 * What the registry says about one compute, as {@code folio.compute_nodes}, {@code ./folio compute
 * list} and the management API show it.
 *
 * @param id {@code c-} and 12 characters; a compute keeps its id through suspend and wake
 * @param role {@code primary}, {@code replica} or {@code static}
 * @param state {@code starting}, {@code active} (sessions open), {@code idle} or {@code suspended}
 * @param currentLsn the newest LSN the compute reads at (for a primary, its last durable commit)
 * @param replicaLag how far the compute's LSN is behind its branch's primary (0 for a primary)
 * @param address where its PostgreSQL port listens, or null while it is not running
 * @param computeSeconds the seconds it has run (starting, active or idle; never while suspended)
 */
public record ComputeInfo(String id, String branch, String timeline, String role, String state, Instant startedAt,
    Instant lastActive, long currentLsn, long replicaLag, long bufferCacheBytes, double hitRatio, String address,
    int sessions, double computeSeconds) {}
