package dev.folio.compute.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StatementSplitterTest {
  @Test
  void splitsOnlyOutsideLiteralsQuotesAndComments() {
    assertThat(StatementSplitter.split("BEGIN; SELECT 'a;b', \"c;d\" -- e;f\n FROM t; /* g; /* h; */ i; */ COMMIT;"))
        .containsExactly("BEGIN", "SELECT 'a;b', \"c;d\" -- e;f\n FROM t", "/* g; /* h; */ i; */ COMMIT");
    assertThat(StatementSplitter.split("select $$x;y$$; select $1, 'it''s;'")).containsExactly("select $$x;y$$",
        "select $1, 'it''s;'");
    assertThat(StatementSplitter.split(" ; -- nothing\n ;")).isEmpty();
  }
}
