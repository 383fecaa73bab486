package dev.reprise.spi.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprise.spi.EventChecksum;
import dev.reprise.spi.EventType;
import dev.reprise.spi.upcast.UpcastException;
import dev.reprise.spi.upcast.UpcasterChain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;

/**
 * Golden fixtures for an event type's upcasters: for every hop {@code vN → vN+1}, a directory
 * {@code vN-to-vN+1/} of cases, each a JSON file with the record {@code given} in vN's frozen
 * schema and either the record {@code expected} in vN+1's, or the text a failure must contain
 * ({@code fails}). Records are in Avro's JSON encoding of that version's schema, so a fixture that
 * no longer matches the frozen schema fails too (unions are written {@code {"string": "x"}}).
 *
 * <pre>{@code
 * // src/test/resources/upcast-fixtures/v2-to-v3/kilograms.json:
 * //   {"given": {"shipmentId": "sh-1", ..., "weightGrams": 21500}, "expected": {..., "weightKg": 21.5}}
 * @Test void upcastersMatchTheirGoldenFixtures() {
 *   UpcastFixtures.check(new ShipmentEventType(), Path.of("src/test/resources/upcast-fixtures"));
 * }
 * }</pre>
 *
 * <p>Every hop needs at least one case: a new version without fixtures fails the check.
 */
public final class UpcastFixtures {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern HOP = Pattern.compile("v(\\d+)-to-v(\\d+)");

  private UpcastFixtures() {}

  /**
   * Runs every case under {@code directory} through {@code type}'s chain, one hop at a time.
   *
   * @return how many cases passed
   * @throws AssertionError naming every case that failed, and every hop without cases
   */
  public static int check(EventType type, Path directory) {
    List<String> problems = new ArrayList<>();
    int passed = 0;
    int latest = type.versions().latestVersion();
    for (int from = 1; from < latest; from++) {
      Path hop = directory.resolve("v" + from + "-to-v" + (from + 1));
      List<Path> cases = cases(hop);
      if (cases.isEmpty()) {
        problems.add(hop + ": no fixtures for the hop v" + from + " -> v" + (from + 1));
      }
      for (Path fixture : cases) {
        String problem = run(type, from, fixture);
        if (problem == null) {
          passed++;
        } else {
          problems.add(directory.relativize(fixture) + ": " + problem);
        }
      }
    }
    try (Stream<Path> entries = Files.exists(directory) ? Files.list(directory) : Stream.empty()) {
      entries.filter(Files::isDirectory).forEach(dir -> {
        Matcher m = HOP.matcher(dir.getFileName().toString());
        if (!m.matches() || Integer.parseInt(m.group(2)) != Integer.parseInt(m.group(1)) + 1
            || Integer.parseInt(m.group(2)) > latest) {
          problems.add(dir.getFileName() + ": not a hop of '" + type.name() + "' (v1..v" + latest + ")");
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!problems.isEmpty()) {
      throw new AssertionError("upcast fixtures of '" + type.name() + "' failed:\n  " + String.join("\n  ", problems));
    }
    return passed;
  }

  private static List<Path> cases(Path hop) {
    if (!Files.isDirectory(hop)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(hop)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The problem with one case, or null if it holds. */
  private static String run(EventType type, int from, Path fixture) {
    Fixture parsed;
    try {
      parsed = Fixture.parse(Files.readString(fixture));
    } catch (IOException | IllegalArgumentException e) {
      return "unreadable fixture: " + e.getMessage();
    }
    GenericRecord given;
    try {
      given = decode(parsed.given(), type.versions().schema(from));
    } catch (IOException | AvroTypeException e) {
      return "'given' is not a v" + from + " record: " + e.getMessage();
    }
    UpcasterChain chain = type.newChain();
    GenericRecord actual;
    try {
      actual = chain.upcast(given, from + 1);
    } catch (UpcastException e) {
      if (parsed.fails() != null && e.getMessage().contains(parsed.fails())) {
        return null;
      }
      return parsed.fails() != null ? "failed with '" + e.getMessage() + "', which does not contain '" + parsed.fails()
          + "'" : "failed: " + e.getMessage();
    }
    if (parsed.fails() != null) {
      return "expected a failure containing '" + parsed.fails() + "' but got " + actual;
    }
    GenericRecord expected;
    try {
      expected = decode(parsed.expected(), type.versions().schema(from + 1));
    } catch (IOException | AvroTypeException e) {
      return "'expected' is not a v" + (from + 1) + " record: " + e.getMessage();
    }
    // The canonical checksum: equal whatever the map order or string representation (Utf8, String).
    EventChecksum canonical = EventChecksum.canonical(expected.getSchema());
    return actual.getSchema().equals(expected.getSchema()) && canonical.of(expected).equals(canonical.of(actual)) ? null
        : "expected " + expected + "\n      but got  " + actual;
  }

  private static GenericRecord decode(String json, Schema schema) throws IOException {
    return new GenericDatumReader<GenericRecord>(schema).read(null, DecoderFactory.get().jsonDecoder(schema, json));
  }

  /** A case: the JSON texts of {@code given} and of {@code expected}, or the text of {@code fails}. */
  private record Fixture(String given, String expected, String fails) {

    static Fixture parse(String text) throws IOException {
      JsonNode root = JSON.readTree(text);
      JsonNode given = root == null ? null : root.get("given");
      JsonNode expected = root == null ? null : root.get("expected");
      JsonNode fails = root == null ? null : root.get("fails");
      if (given == null || (expected == null) == (fails == null)) {
        throw new IllegalArgumentException("a fixture has 'given' and either 'expected' or 'fails'");
      }
      return new Fixture(given.toString(), expected == null ? null : expected.toString(),
          fails == null ? null : fails.asText());
    }
  }
}
