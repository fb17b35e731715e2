package dev.folio.compute.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Index keys sort as their values do, with NULL last, and no key is a proper prefix of another:
 * what the B-tree's byte comparisons and prefix searches rely on.
 */
class IndexKeysTest {
  private static final List<ColumnType> TYPES = List.of(ColumnType.INT4, ColumnType.INT8, ColumnType.FLOAT8,
      ColumnType.BOOL, ColumnType.TEXT);

  /** Two keys of (int4, int8, float8, bool, text). */
  @Property(tries = 2000)
  void byteOrderIsValueOrder(@ForAll("rows") List<Object> a, @ForAll("rows") List<Object> b) {
    byte[] ka = IndexKeys.encode(TYPES, a);
    byte[] kb = IndexKeys.encode(TYPES, b);
    assertThat(Integer.signum(Arrays.compareUnsigned(ka, kb))).isEqualTo(Integer.signum(compare(a, b)));
    if (ka.length != kb.length) {
      byte[] shorter = ka.length < kb.length ? ka : kb;
      byte[] longer = ka.length < kb.length ? kb : ka;
      assertThat(Arrays.equals(shorter, 0, shorter.length, longer, 0, shorter.length)).isFalse();
    }
  }

  @Property(tries = 500)
  void leadingColumnsArePrefixes(@ForAll("rows") List<Object> a) {
    byte[] whole = IndexKeys.encode(TYPES, a);
    for (int n = 0; n <= TYPES.size(); n++) {
      byte[] prefix = IndexKeys.encode(TYPES.subList(0, n), a.subList(0, n));
      assertThat(Arrays.equals(prefix, 0, prefix.length, whole, 0, prefix.length)).isTrue();
    }
  }

  @Provide
  Arbitrary<List<Object>> rows() {
    Arbitrary<Object> int4 = Arbitraries.oneOf(Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.of(Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE).map(i -> (Object) i)).injectNull(0.1);
    Arbitrary<Object> int8 = Arbitraries.longs().between(-3, 3).map(l -> (Object) l).injectNull(0.1);
    Arbitrary<Object> float8 = Arbitraries.oneOf(Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.of(-0.0, 0.0, Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, Double.MIN_VALUE,
            -Double.MIN_VALUE, 1.0, -1.0).map(d -> (Object) d)).injectNull(0.1);
    Arbitrary<Object> bool = Arbitraries.of(true, false).map(b -> (Object) b).injectNull(0.1);
    Arbitrary<Object> text = Arbitraries.strings().withChars("ab\u0000\u00e9\uffff").ofMaxLength(4).map(s -> (Object) s)
        .injectNull(0.1);
    return Combinators.combine(int4, int8, float8, bool, text).as(Arrays::asList);
  }

  @SuppressWarnings("unchecked")
  private static int compare(List<Object> a, List<Object> b) {
    for (int i = 0; i < a.size(); i++) {
      Object x = a.get(i);
      Object y = b.get(i);
      int c;
      if (x == null || y == null) {
        c = x == null ? (y == null ? 0 : 1) : -1;
      } else if (x instanceof Double dx) {
        // SQL: -0 = +0; NaN equals itself and sorts above every number.
        c = dx == 0.0 && (Double) y == 0.0 ? 0 : Double.compare(dx, (Double) y);
      } else if (x instanceof String sx) {
        c = Arrays.compareUnsigned(sx.getBytes(java.nio.charset.StandardCharsets.UTF_8),
            ((String) y).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      } else {
        c = ((Comparable<Object>) x).compareTo(y);
      }
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }
}
