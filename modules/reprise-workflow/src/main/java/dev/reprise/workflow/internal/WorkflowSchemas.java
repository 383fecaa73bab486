package dev.reprise.workflow.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;

/** The workflow's wire formats, from {@code schemas/workflow} (packaged as resources). */
final class WorkflowSchemas {

  static final Schema RECEIPT = load("receipt-v1.avsc");
  static final Schema EFFECT_REQUEST = load("effect-request-v1.avsc");

  private WorkflowSchemas() {}

  private static Schema load(String file) {
    try (InputStream in = WorkflowSchemas.class.getResourceAsStream("/dev/reprise/workflow/schemas/" + file)) {
      if (in == null) {
        throw new IllegalStateException("schema resource " + file + " is missing from the classpath");
      }
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
