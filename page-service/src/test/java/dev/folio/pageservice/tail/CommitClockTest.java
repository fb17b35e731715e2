package dev.folio.pageservice.tail;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Time to LSN: the last commit at or before a time, and where a time falls in the history. */
class CommitClockTest {
  @Test
  void answersAsNeonDoes() {
    CommitClock clock = new CommitClock();
    assertThat(clock.lsnAt(1_000).kind()).isEqualTo(CommitClock.Kind.NO_DATA);
    clock.commit(1_000, 0x100);
    clock.commit(2_000, 0x200);
    clock.commit(3_000, 0x300);
    clock.flushed(0x380, 3_500);

    assertThat(clock.lsnAt(999)).isEqualTo(new CommitClock.Answer(CommitClock.Kind.PAST, 0x100, 0));
    assertThat(clock.lsnAt(1_000)).isEqualTo(new CommitClock.Answer(CommitClock.Kind.PRESENT, 0x100, 1_000));
    assertThat(clock.lsnAt(2_999)).isEqualTo(new CommitClock.Answer(CommitClock.Kind.PRESENT, 0x200, 2_000));
    assertThat(clock.lsnAt(3_400)).isEqualTo(new CommitClock.Answer(CommitClock.Kind.PRESENT, 0x300, 3_000));
    assertThat(clock.lsnAt(3_501)).isEqualTo(new CommitClock.Answer(CommitClock.Kind.FUTURE, 0x380, 0));
  }
}
