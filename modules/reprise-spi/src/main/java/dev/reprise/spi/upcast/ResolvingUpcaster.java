package dev.reprise.spi.upcast;

import dev.reprise.spi.SchemaVersions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * A version hop that needs no code: the record resolved from its schema to the next by Avro's own
 * schema resolution (a field added with a default, a field removed, a type promotion such as int
 * to long, an alias). Refused at construction when the two schemas are not compatible that way, so
 * a semantic change cannot slip through as "just resolution".
 *
 * <pre>{@code
 * UpcasterChain.of(VERSIONS, List.of(Upcaster.resolving(VERSIONS, 1), new OrderV2ToV3Upcaster()));
 * }</pre>
 *
 * <p>Thread-safe: it keeps no buffers between calls.
 */
public final class ResolvingUpcaster implements Upcaster {

  private final int fromVersion;
  private final Schema writer;
  private final GenericDatumWriter<GenericRecord> encoder;
  private final GenericDatumReader<GenericRecord> resolver;

  /**
   * @throws IllegalArgumentException if {@code fromVersion + 1} cannot read {@code fromVersion}
   *     by schema resolution alone, naming the incompatibilities
   */
  ResolvingUpcaster(SchemaVersions versions, int fromVersion) {
    this.fromVersion = fromVersion;
    this.writer = versions.schema(fromVersion);
    Schema reader = versions.schema(fromVersion + 1);
    var compatibility = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      throw new IllegalArgumentException("v" + (fromVersion + 1) + " of " + reader.getFullName() + " cannot read v"
          + fromVersion + " by schema resolution alone, write an upcaster for the hop: "
          + describe(reader, compatibility.getResult().getIncompatibilities()));
    }
    this.encoder = new GenericDatumWriter<>(writer);
    this.resolver = new GenericDatumReader<>(writer, reader);
  }

  /** "field 'quantity': reader type: STRING not compatible with writer type: INT", one per problem. */
  private static String describe(Schema reader, java.util.List<SchemaCompatibility.Incompatibility> problems) {
    java.util.List<String> lines = new java.util.ArrayList<>();
    for (SchemaCompatibility.Incompatibility problem : problems) {
      String[] path = problem.getLocation().split("/");
      String where = problem.getLocation();
      if (path.length > 2 && path[1].equals("fields") && path[2].matches("\\d+")
          && Integer.parseInt(path[2]) < reader.getFields().size()) {
        where = "field '" + reader.getFields().get(Integer.parseInt(path[2])).name() + "'";
      }
      lines.add(where + ": " + problem.getMessage());
    }
    return String.join("; ", lines);
  }

  @Override
  public int fromVersion() {
    return fromVersion;
  }

  @Override
  public GenericRecord upcast(GenericRecord record, UpcastReport report) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    BinaryEncoder out = EncoderFactory.get().directBinaryEncoder(bytes, null);
    try {
      encoder.write(record, out);
      return resolver.read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (AvroRuntimeException | ClassCastException | NullPointerException e) {
      // A record that does not fit its own writer schema (a required field left null): its value, not the hop.
      throw new UpcastException("a " + writer.getFullName() + " record", fromVersion, fromVersion + 1, "(record)",
          String.valueOf(e.getMessage()), "which does not fit its own v" + fromVersion + " schema", e);
    }
  }

  @Override
  public String toString() {
    return "Avro schema resolution (v" + fromVersion + " -> v" + (fromVersion + 1) + ")";
  }
}
