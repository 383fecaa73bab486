package dev.reprise.submissions.upcast;

import dev.reprise.spi.upcast.UnsupportedVersionException;
import dev.reprise.spi.upcast.UpcastException;
import dev.reprise.spi.upcast.UpcastReport;
import dev.reprise.spi.upcast.UpcasterChain;
import dev.reprise.submissions.SubmissionEventType;

import static dev.reprise.submissions.SubmissionFixtures.roundTrip;
import static dev.reprise.submissions.SubmissionFixtures.v2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprise.submissions.SubmissionSchemas;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SubmissionV2ToV3UpcasterTest {

  /** The rule as first written: the reference the hand-written parser must equal. */
  private static final java.util.regex.Pattern REFERENCE = java.util.regex.Pattern.compile("-?\\d{1,15}(\\.\\d{1,2})?");

  private static Long referenceCents(String amount) {
    return REFERENCE.matcher(amount).matches()
        ? new java.math.BigDecimal(amount).movePointRight(2).longValueExact() : null;
  }

  @Test
  void parsesAmountsExactlyAsTheRegularExpressionAndBigDecimalDidOnAMillionGeneratedStrings() {
    java.util.Random random = new java.util.Random(17);
    String alphabet = "0123456789.-+, e\u0663";
    int valid = 0;
    for (int n = 0; n < 1_000_000; n++) {
      StringBuilder amount = new StringBuilder();
      int length = random.nextInt(n % 10 == 0 ? 20 : 7);
      for (int i = 0; i < length; i++) {
        // Mostly digits, so that many are valid and the edges (15/16 digits, 2/3 decimals) are hit.
        amount.append(random.nextInt(4) == 0 ? alphabet.charAt(random.nextInt(alphabet.length()))
            : (char) ('0' + random.nextInt(10)));
      }
      String text = amount.toString();
      Long expected = referenceCents(text);
      long actual = SubmissionV2ToV3Upcaster.cents(text);
      if (expected == null) {
        assertThat(actual).as("'%s' is not an amount", text).isEqualTo(Long.MIN_VALUE);
      } else {
        valid++;
        assertThat(actual).as("'%s'", text).isEqualTo(expected);
      }
    }
    assertThat(valid).as("valid amounts among them").isGreaterThan(100_000);
    for (String edge : new String[] {"-", ".", "-.5", "1.", "0", "-0", "-0.99", "999999999999999.99",
        "1234567890123456", "12.345", "12,50", "+1", "1e3", "\u0663"}) {
      Long expected = referenceCents(edge);
      assertThat(SubmissionV2ToV3Upcaster.cents(edge)).as("'%s'", edge)
          .isEqualTo(expected == null ? Long.MIN_VALUE : expected);
    }
  }

  private final SubmissionV2ToV3Upcaster upcaster = new SubmissionV2ToV3Upcaster("legacy");
  private final UpcastReport report = new UpcastReport();

  @ParameterizedTest
  @CsvSource({"12.50,1250", "12.5,1250", "12,1200", "0.99,99", "-3.10,-310", "' 7.01 ',701"})
  void shouldConvertDecimalAmountsToCents(String amount, long cents) {
    GenericRecord v3 = upcaster.upcast(roundTrip(v2("s-1", 0L, amount, "t-1", null)), report);

    assertThat(v3.get("amountCents")).isEqualTo(cents);
  }

  @ParameterizedTest
  @ValueSource(strings = {"12,50", "N/A", "", "1e3", "12.345", "twelve", "12.50 EUR"})
  void shouldFailNamingTheAmountWhenItIsNotADecimal(String amount) {
    GenericRecord v2 = roundTrip(v2("s-2", 0L, amount, "t-1", null));

    assertThatThrownBy(() -> upcaster.upcast(v2, report))
        .isInstanceOfSatisfying(UpcastException.class, e -> {
          assertThat(e.field()).isEqualTo("amount");
          assertThat(e.value()).isEqualTo(amount);
          assertThat(e.fromVersion()).isEqualTo(2);
          assertThat(e.toVersion()).isEqualTo(3);
        });
  }

  @Test
  void shouldGiveRecordsWithoutTenantTheDefaultTenantAndCountIt() {
    GenericRecord v3 = upcaster.upcast(roundTrip(v2("s-3", 1_700_000_000_000L, "1.00", null, "a@b.example")), report);

    assertThat(v3.getSchema()).isEqualTo(SubmissionSchemas.forVersion(3));
    assertThat(v3.get("tenantId")).isEqualTo("legacy");
    assertThat(v3.get("submittedAt")).isEqualTo(1_700_000_000_000L);
    assertThat(v3.get("submitterEmail")).isEqualTo("a@b.example");
    assertThat(v3.get("status").toString()).isEqualTo("RECEIVED");
    assertThat(v3.get("formId")).isEqualTo("form-8");
    assertThat(report.count("default.v2_to_v3.tenantId")).isEqualTo(1);
    assertThat(report.count("default.v2_to_v3.status")).isEqualTo(1);
  }

  @Test
  void shouldKeepAnExistingTenant() {
    GenericRecord v3 = upcaster.upcast(roundTrip(v2("s-4", 0L, "1", "t-9", null)), report);

    assertThat(v3.get("tenantId")).isEqualTo("t-9");
    assertThat(report.count("default.v2_to_v3.tenantId")).isZero();
  }
}
