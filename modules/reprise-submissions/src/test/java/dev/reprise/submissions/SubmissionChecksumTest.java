package dev.reprise.submissions;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class SubmissionChecksumTest {

  private final SubmissionChecksum checksum = new SubmissionChecksum();

  private static GenericRecord v3(Map<String, String> answers, long amountCents) {
    return SubmissionFixtures.v3("s-1", 0, amountCents, answers);
  }

  @Test
  void shouldNotDependOnTheOrderOfMapEntriesNorOnStringRepresentations() {
    Map<String, String> forward = new LinkedHashMap<>();
    forward.put("q1", "a");
    forward.put("q2", "b");
    forward.put("q3", "c");
    Map<String, String> backward = new LinkedHashMap<>();
    backward.put("q3", "c");
    backward.put("q2", "b");
    backward.put("q1", "a");

    String expected = checksum.of(v3(forward, 1250));
    assertThat(checksum.of(v3(backward, 1250))).isEqualTo(expected);
    // Read back from bytes: Utf8 strings and a HashMap in whatever order.
    assertThat(checksum.of(SubmissionFixtures.roundTrip(v3(backward, 1250)))).isEqualTo(expected);
    assertThat(expected).matches("[0-9a-f]{16}");
  }

  @Test
  void shouldDifferWhenTheEventDiffers() {
    Map<String, String> answers = Map.of("q1", "a", "q2", "b");
    assertThat(checksum.of(v3(answers, 1250))).isNotEqualTo(checksum.of(v3(answers, 1251)));
    assertThat(checksum.of(v3(answers, 1250))).isNotEqualTo(checksum.of(v3(Map.of("q1", "a", "q2", "c"), 1250)));
  }
}
