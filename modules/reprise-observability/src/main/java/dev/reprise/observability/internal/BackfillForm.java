package dev.reprise.observability.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillRequest.EffectsPolicy;
import dev.reprise.protocol.BackfillRequest.Mode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The dashboard's "new backfill" form, as the JSON the page posts, turned into the same {@link
 * BackfillRequest} {@code reprise request} would publish: nothing the page can ask that a request
 * cannot. What the page gets wrong (a missing id, a date that is no date) is named here, field by
 * field; what only the coordinator can judge (the allowlist, the policy, a range in the future) it
 * answers with a REJECTED status, as for any request.
 *
 * <pre>{@code
 * {"id":"redo-2023","source":"submissions","from":"2023-01-01","to":"2024-01-01","mode":"PREVIEW",
 *  "workflows":["notify"],"effects":"ENABLE","filters":{"formId":["f-1"]},"maxRate":500}
 * }</pre>
 */
public final class BackfillForm {

  private BackfillForm() {}

  /** The request the form asks for, by {@code user} of the dashboard. */
  public static BackfillRequest parse(JsonNode form, String user) {
    List<String> problems = new ArrayList<>();
    String id = text(form, "id").orElse("");
    if (id.isBlank()) {
      problems.add("id: required");
    }
    String source = text(form, "source").orElse("");
    if (source.isBlank()) {
      problems.add("source: required");
    }
    Instant from = instant(form, "from", problems);
    Instant to = instant(form, "to", problems);
    Mode mode = choice(form, "mode", Mode.class, Mode.PREVIEW, problems);
    EffectsPolicy effects = choice(form, "effects", EffectsPolicy.class, EffectsPolicy.SUPPRESS, problems);
    OptionalInt target = OptionalInt.empty();
    if (form.hasNonNull("targetVersion") && !form.get("targetVersion").asText().isBlank()) {
      if (form.get("targetVersion").canConvertToInt() || form.get("targetVersion").asText().matches("\\d+")) {
        target = OptionalInt.of(form.get("targetVersion").asInt());
      } else {
        problems.add("targetVersion: a schema version number, was '" + form.get("targetVersion").asText() + "'");
      }
    }
    OptionalDouble maxRate = OptionalDouble.empty();
    if (form.hasNonNull("maxRate") && !form.get("maxRate").asText().isBlank()) {
      double rate = form.get("maxRate").asDouble(-1);
      if (rate > 0) {
        maxRate = OptionalDouble.of(rate);
      } else {
        problems.add("maxRate: records per second above 0, was '" + form.get("maxRate").asText() + "'");
      }
    }
    List<String> workflows = new ArrayList<>();
    form.path("workflows").forEach(w -> {
      if (!w.asText().isBlank()) {
        workflows.add(w.asText().trim());
      }
    });
    Map<String, Set<String>> filters = new LinkedHashMap<>();
    form.path("filters").fields().forEachRemaining(entry -> {
      Set<String> values = new LinkedHashSet<>();
      entry.getValue().forEach(v -> values.add(v.asText().trim()));
      values.removeIf(String::isBlank);
      if (!values.isEmpty()) {
        filters.put(entry.getKey(), values);
      }
    });
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return new BackfillRequest(id.trim(), source.trim(), text(form, "eventType").filter(t -> !t.isBlank()), from, to,
        filters, target, mode, workflows, maxRate, effects, Optional.of(user + " (dashboard)"),
        text(form, "reason").filter(r -> !r.isBlank()), List.of());
  }

  private static Optional<String> text(JsonNode form, String field) {
    return form.hasNonNull(field) ? Optional.of(form.get(field).asText()) : Optional.empty();
  }

  /** A day ({@code 2023-01-01}, midnight UTC) or an instant ({@code 2023-01-01T06:00:00Z}). */
  private static Instant instant(JsonNode form, String field, List<String> problems) {
    String value = text(form, field).orElse("").trim();
    if (value.isEmpty()) {
      problems.add(field + ": required (a day such as 2023-01-01, UTC)");
      return null;
    }
    try {
      return value.length() == 10 ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(value);
    } catch (DateTimeParseException e) {
      problems.add(field + ": a day such as 2023-01-01 or an instant such as 2023-01-01T06:00:00Z, was '" + value + "'");
      return null;
    }
  }

  private static <E extends Enum<E>> E choice(JsonNode form, String field, Class<E> type, E otherwise,
      List<String> problems) {
    String value = text(form, field).orElse("").trim();
    if (value.isEmpty()) {
      return otherwise;
    }
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      List<String> allowed = new ArrayList<>();
      for (E constant : type.getEnumConstants()) {
        allowed.add(constant.name());
      }
      problems.add(field + ": one of " + allowed + ", was '" + value + "'");
      return otherwise;
    }
  }
}
