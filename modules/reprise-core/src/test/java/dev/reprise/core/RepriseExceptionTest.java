package dev.reprise.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RepriseExceptionTest {

  @Test
  void shouldTellRetriableFromNonRetriableThroughTheRoot() {
    RepriseException outage = new RepriseRetriableException("registry down");
    RepriseException badInput = new RepriseNonRetriableException("not avro");

    assertThat(outage.isRetriable()).isTrue();
    assertThat(badInput.isRetriable()).isFalse();
  }

  @Test
  void shouldKeepMessageAndCause() {
    var cause = new IllegalStateException("boom");
    var e = new RepriseNonRetriableException("field 'amount' has value 'x'", cause);

    assertThat(e).hasMessage("field 'amount' has value 'x'").hasCause(cause);
  }
}
