package dev.reprise.coordinator.internal;

import java.util.Optional;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * What of a matched record a status may show as a sample: everything (the default), only named
 * top-level fields, or nothing. Statuses are read by everyone who may read {@code reprise.status};
 * a record's personal data (an e-mail address) need not be.
 *
 * @param fields empty: every field; a set: only these (an empty set: no samples at all)
 */
public record StatusSamples(Optional<Set<String>> fields) {

  public static final StatusSamples ALL = new StatusSamples(Optional.empty());

  public StatusSamples {
    fields = fields.map(Set::copyOf);
  }

  public boolean enabled() {
    return fields.map(f -> !f.isEmpty()).orElse(true);
  }

  /** The record as JSON, with only the fields a sample may show. */
  public String show(GenericRecord record) {
    if (fields.isEmpty()) {
      return record.toString();
    }
    StringBuilder json = new StringBuilder("{");
    for (Schema.Field field : record.getSchema().getFields()) {
      if (fields.get().contains(field.name())) {
        if (json.length() > 1) {
          json.append(", ");
        }
        json.append('"').append(field.name()).append("\": ");
        json.append(GenericData.get().toString(record.get(field.pos())));
      }
    }
    return json.append('}').toString();
  }
}
