package dev.folio.compute.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which literals of simple-protocol text become parameters, and which stay. */
class LiteralsTest {
  private static void normalizes(String sql, String expected, String... values) {
    Literals.Normalized n = Literals.normalize(sql);
    assertThat(n.sql()).as(sql).isEqualTo(expected);
    assertThat(n.values()).as(sql).containsExactly(values);
  }

  @Test
  void valuesComparedOrComputedWithBecomeParameters() {
    normalizes("SELECT abalance FROM pgbench_accounts WHERE aid = 48213",
        "SELECT abalance FROM pgbench_accounts WHERE aid = ?", "48213");
    normalizes("select * from t where name = 'it''s' and x >= -2.5e3 and y <> 7",
        "select * from t where name = ? and x >= ? and y <> ?", "it's", "-2.5e3", "7");
    normalizes("SELECT a - 1 FROM t WHERE b BETWEEN 10 AND 20 AND c IN (1, 2, 'x')",
        "SELECT a - ? FROM t WHERE b BETWEEN ? AND ? AND c IN (?, ?, ?)", "1", "10", "20", "1", "2", "x");
  }

  @Test
  void literalsWhoseMeaningDependsOnThemStay() {
    normalizes("SELECT 1, 'x' FROM t ORDER BY 1 LIMIT 10", "SELECT 1, 'x' FROM t ORDER BY 1 LIMIT 10");
    normalizes("SELECT * FROM t WHERE d = DATE '2026-11-29' AND e = '5'::int AND f = substr(g, 2, 3)",
        "SELECT * FROM t WHERE d = DATE '2026-11-29' AND e = '5'::int AND f = substr(g, 2, 3)");
    normalizes("SELECT \"col 1\" FROM t2 WHERE x = 5 -- = 6\n", "SELECT \"col 1\" FROM t2 WHERE x = ? -- = 6\n", "5");
    normalizes("SELECT count(*) FROM t GROUP BY 1", "SELECT count(*) FROM t GROUP BY 1");
  }
}
