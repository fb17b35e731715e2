package dev.folio.compute.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.folio.compute.pgwire.PgException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** COPY's statement forms and its text and CSV data, as PostgreSQL reads them. */
class CopyTest {
  @Test
  void statementForms() {
    Copy.Statement s = Copy.parse("copy pgbench_accounts from stdin with (freeze on)");
    assertThat(s.table()).isEqualTo("pgbench_accounts");
    assertThat(s.columns()).isEmpty();
    assertThat(s.format().csv()).isFalse();
    assertThat(s.format().delimiter()).isEqualTo('\t');
    assertThat(s.format().nullMarker()).isEqualTo("\\N");

    Copy.Statement csv = Copy.parse("COPY items (id, \"Name\") FROM STDIN WITH (FORMAT csv, HEADER true, NULL 'null', "
        + "DELIMITER ';')");
    assertThat(csv.columns()).containsExactly("id", "Name");
    assertThat(csv.format()).isEqualTo(new Copy.Format(true, ';', "null", true, '"', '"'));

    assertThat(Copy.parse("COPY t FROM STDIN CSV HEADER").format().header()).isTrue();
    assertThat(Copy.parse("COPY t FROM STDIN WITH DELIMITER '|' NULL ''").format().delimiter()).isEqualTo('|');

    assertThatThrownBy(() -> Copy.parse("COPY t TO STDOUT")).isInstanceOf(PgException.class)
        .extracting(e -> ((PgException) e).sqlState()).isEqualTo("0A000");
    assertThatThrownBy(() -> Copy.parse("COPY t FROM STDIN (FORMAT binary)"))
        .extracting(e -> ((PgException) e).sqlState()).isEqualTo("0A000");
    assertThatThrownBy(() -> Copy.parse("COPY t FROM STDIN (BOGUS 1)"))
        .extracting(e -> ((PgException) e).sqlState()).isEqualTo("42601");
    assertThat(Copy.isCopy("copy t from stdin")).isTrue();
    assertThat(Copy.isCopy("copyright")).isFalse();
  }

  @Test
  void textData() {
    Copy.Format text = Copy.parse("COPY t FROM STDIN").format();
    List<String[]> rows = Copy.rows("1\tplain\t\\N\n2\ttab\\there\\nnewline\t\\\\N\n3\t\\x41\\101\t\r\n\\.\nignored\n", text);
    assertThat(rows).hasSize(3);
    assertThat(rows.get(0)).containsExactly("1", "plain", null);
    assertThat(rows.get(1)).containsExactly("2", "tab\there\nnewline", "\\N");
    assertThat(rows.get(2)).containsExactly("3", "AA", "");
  }

  @Test
  void csvData() {
    Copy.Format csv = Copy.parse("COPY t FROM STDIN WITH (FORMAT csv, HEADER)").format();
    List<String[]> rows = Copy.rows("id,name,note\n1,\"a, b\",\n2,\"say \"\"hi\"\"\",\"\"\r\n3,\"two\nlines\",x\n\n", csv);
    assertThat(rows).hasSize(3);
    assertThat(rows.get(0)).containsExactly("1", "a, b", null);
    assertThat(rows.get(1)).containsExactly("2", "say \"hi\"", "");
    assertThat(rows.get(2)).containsExactly("3", "two\nlines", "x");
    assertThatThrownBy(() -> Copy.rows("1,\"open\n", csv)).isInstanceOf(PgException.class);
  }
}
