package dev.folio.compute.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.compute.Fixture;
import dev.folio.format.TimelineId;
import dev.folio.pageservice.PageServer;
import dev.folio.testsupport.KafkaEndpoint;
import dev.folio.testsupport.RealInfra;
import dev.folio.testsupport.S3Endpoint;
import dev.folio.wal.writer.WalWriter;
import dev.folio.wal.writer.WalWriterConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The log is the database: a compute writes a heap through WAL alone (commits, an abort, deletes),
 * with a buffer cache far smaller than the relation; a second compute that starts from nothing but
 * the timeline id reads the same rows back through the page service, and continues the
 * transaction ids after the first one's.
 */
@RealInfra
class HeapStorageTest {
  @Test
  void aFreshComputeReadsWhatAnotherCommitted(KafkaEndpoint kafka, S3Endpoint s3) throws Exception {
    try (Fixture f = Fixture.start(kafka, s3)) {
      heapRoundTrip(kafka, f);
    }
  }

  private static void heapRoundTrip(KafkaEndpoint kafka, Fixture f) throws Exception {
    TimelineId timeline = f.timeline();
    WalWriterConfig writerConfig = WalWriterConfig.of(kafka.bootstrapServers(), f.topic());
    String token = f.token();
    Set<String> expected = new TreeSet<>();
    int relation;
    long lastXid;
    PageServer server = f.pageServer();
    try (WalWriter writer = WalWriter.open(writerConfig, timeline, 0, new SimpleMeterRegistry());
        PageServiceClient client = new PageServiceClient("127.0.0.1", server.grpcPort(), Fixture.TENANT, timeline, token)) {
      BufferCache pages = new BufferCache(client, writer, 8, 0);
      Transactions tx = new Transactions(pages, writer);
      HeapRelation heap = HeapRelation.create(pages, tx, 5);
      relation = heap.relation();
      Random random = new Random(3);
      List<HeapRelation.Tid> committed = new ArrayList<>();
      List<String> committedRows = new ArrayList<>();
      long xid = 0;
      for (int t = 0; t < 8; t++) {
        xid = tx.begin();
        List<HeapRelation.Tid> tids = new ArrayList<>();
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
          String row = "t" + t + "-row" + i + "-" + "x".repeat(random.nextInt(200));
          tids.add(heap.insert(xid, row.getBytes(StandardCharsets.UTF_8)));
          rows.add(row);
        }
        if (t == 5) {
          tx.abort(xid);
        } else {
          tx.commit(xid);
          committed.addAll(tids);
          committedRows.addAll(rows);
        }
      }
      expected.addAll(committedRows);
      long deleter = tx.begin();
      for (int i = 0; i < committed.size(); i += 7) {
        heap.delete(deleter, committed.get(i));
        expected.remove(committedRows.get(i));
      }
      tx.commit(deleter);
      long rolledBack = tx.begin();
      heap.delete(rolledBack, committed.get(1));
      tx.abort(rolledBack);
      lastXid = tx.begin();
      assertThat(rows(heap.scan(tx.snapshot(lastXid)))).isEqualTo(expected);
      assertThat(heap.blocks()).isGreaterThan(8);
      assertThat(pages.misses()).isPositive();
      writer.flush().join();
    }

    try (WalWriter writer = WalWriter.open(writerConfig, timeline, 0, new SimpleMeterRegistry());
        PageServiceClient client = new PageServiceClient("127.0.0.1", server.grpcPort(), Fixture.TENANT, timeline, token)) {
      BufferCache pages = new BufferCache(client, writer, 8, 0);
      Transactions tx = new Transactions(pages, writer);
      long reader = tx.begin();
      assertThat(reader).isGreaterThan(lastXid);
      HeapRelation heap = new HeapRelation(pages, tx, 5, relation);
      assertThat(rows(heap.scan(tx.snapshot(reader)))).isEqualTo(expected);
    }
  }

  private static Set<String> rows(List<HeapRelation.Row> rows) {
    Set<String> out = new TreeSet<>();
    rows.forEach(r -> out.add(new String(r.data(), StandardCharsets.UTF_8)));
    return out;
  }
}
