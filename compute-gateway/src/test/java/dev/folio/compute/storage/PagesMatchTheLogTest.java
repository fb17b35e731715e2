package dev.folio.compute.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.compute.Fixture;
import dev.folio.compute.session.StatementResult;
import dev.folio.compute.sql.Database;
import dev.folio.compute.sql.FolioSqlEngine;
import dev.folio.format.PageKey;
import dev.folio.format.page.Page;
import dev.folio.testsupport.KafkaEndpoint;
import dev.folio.testsupport.RealInfra;
import dev.folio.testsupport.S3Endpoint;
import dev.folio.wal.writer.WalWriter;
import dev.folio.wal.writer.WalWriterConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every page a compute holds after a SQL workload (heap, B-tree splits, metapages, the commit log,
 * the control page, the catalog) is, byte for byte, the page the page service rebuilds from the
 * log with the same redo; and a sequential scan through a cold cache reads ahead in batches.
 */
@RealInfra
class PagesMatchTheLogTest {
  @Test
  void theComputesPagesAreTheLogsPages(KafkaEndpoint kafka, S3Endpoint s3) throws Exception {
    try (Fixture f = Fixture.start(kafka, s3);
        WalWriter writer = WalWriter.open(WalWriterConfig.of(kafka.bootstrapServers(), f.topic()), f.timeline(), 0,
            new SimpleMeterRegistry());
        PageServiceClient client = new PageServiceClient("127.0.0.1", f.pageServer().grpcPort(), Fixture.TENANT,
            f.timeline(), f.token())) {
      BufferCache pages = new BufferCache(client, writer, 100_000, 0);
      Database db = Database.open(pages, new Transactions(pages, writer), new SimpleMeterRegistry());
      FolioSqlEngine sql = new FolioSqlEngine(db);
      run(sql, "CREATE TABLE items (id int PRIMARY KEY, sku varchar(40), qty int, price numeric(8,2))");
      run(sql, "CREATE INDEX items_sku ON items (sku)");
      for (int batch = 0; batch < 20; batch++) {
        StringBuilder insert = new StringBuilder("INSERT INTO items VALUES ");
        for (int i = 0; i < 100; i++) {
          int id = batch * 100 + i;
          insert.append(i > 0 ? ", " : "").append('(').append(id).append(", 'sku-").append(id % 97)
              .append("-with-a-longer-name', ").append(id % 13).append(", ").append(id).append(".25)");
        }
        run(sql, insert.toString());
      }
      run(sql, "UPDATE items SET qty = qty + 1, sku = 'moved' WHERE id % 7 = 0");
      run(sql, "DELETE FROM items WHERE id % 11 = 0");
      sql.begin(false);
      run(sql, "DELETE FROM items");
      sql.rollback();
      writer.flush().join();

      Map<PageKey, Page> held = pages.held();
      assertThat(held).hasSizeGreaterThan(50);
      long lsn = writer.lastAppendedLsn();
      for (Map.Entry<PageKey, Page> e : held.entrySet()) {
        Page rebuilt = client.get(e.getKey(), lsn, e.getValue().lsnValue());
        assertThat(rebuilt).as("page %s", e.getKey()).isEqualTo(e.getValue());
      }

      // A cold cache: the scan reads ahead, and finds the same rows.
      BufferCache cold = new BufferCache(client, writer, 256, 0);
      FolioSqlEngine fresh = new FolioSqlEngine(Database.open(cold, new Transactions(cold, writer),
          new SimpleMeterRegistry()));
      assertThat(run(fresh, "SELECT count(*), sum(qty) FROM items").rows())
          .containsExactlyElementsOf(run(sql, "SELECT count(*), sum(qty) FROM items").rows());
      assertThat(cold.prefetched()).isGreaterThan(10);
    }
  }

  private static StatementResult run(FolioSqlEngine sql, String statement) {
    return sql.execute(statement, List.of());
  }
}
