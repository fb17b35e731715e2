package dev.folio.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.folio.testsupport.KafkaEndpoint;
import dev.folio.testsupport.LocalPostgres;
import dev.folio.testsupport.RealInfra;
import dev.folio.testsupport.S3Endpoint;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real psql runs one scripted session (src/test/resources/psql/session.sql: DDL, COPY in text
 * and CSV, DML, joins, aggregates, transactions, rollback, errors shown by their SQLSTATE, and psql's
 * own {@code \dt} and {@code \d}) against a compute and against a private PostgreSQL 15; everything
 * psql prints must be the same.
 */
@RealInfra
class PsqlSessionTest {
  @Test
  void psqlPrintsWhatItPrintsForPostgres(KafkaEndpoint kafka, S3Endpoint s3, @TempDir Path dir) throws Exception {
    assumeTrue(LocalPostgres.available(), "PostgreSQL's binaries are not installed");
    Path script = dir.resolve("session.sql");
    try (InputStream in = PsqlSessionTest.class.getResourceAsStream("/psql/session.sql")) {
      Files.write(script, in.readAllBytes());
    }
    try (LocalPostgres postgres = LocalPostgres.start();
        Fixture f = Fixture.start(kafka, s3);
        ComputeNode compute = f.compute(64 * 8192L)) {
      List<String> reference = psql(postgres.bin().resolve("psql"), postgres.port(), "postgres", script);
      List<String> folio = psql(postgres.bin().resolve("psql"), compute.port(), "main", script);
      assertThat(reference).contains("psql:session.sql:28: ERROR:  23505", "psql:session.sql:35: ERROR:  22P02", "COPY 3");
      assertThat(reference).anySatisfy(l -> assertThat(l).contains("\"described_pkey\" PRIMARY KEY, btree (id)"))
          .anySatisfy(l -> assertThat(l).contains("Did not find any relation named \"nowhere\""))
          .contains("described|BASE TABLE", "score|numeric|YES|3||6|2", "described|name|2|t", "t|t|described_pkey");
      assertThat(folio).containsExactlyElementsOf(reference);
    }
  }

  private static List<String> psql(Path psql, int port, String database, Path script)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(psql.toString(), "-X", "-A", "-h", "127.0.0.1", "-p", String.valueOf(port),
        "-U", "postgres", "-d", database, "-f", script.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    return out.lines().map(l -> l.replace(script.toString(), "session.sql")).toList();
  }
}
