package dev.reprise.cli;

import dev.reprise.protocol.BackfillRequest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import picocli.CommandLine.Option;

/**
 * Which events a request is about: {@code --event-type NAME} and {@code --filter ATTRIBUTE=VALUE[,VALUE]}
 * (repeatable; an attribute given twice adds values). {@code --form} and {@code --tenant} are the
 * built-in submissions' filters, kept as short forms of {@code --filter formId=…} and {@code
 * --filter tenantId=…}. The coordinator checks the attributes against the event type.
 */
final class EventSelection {

  @Option(names = "--event-type", paramLabel = "NAME",
      description = "The event type of the source topic ('reprise plugins' lists them; default: the coordinator's).")
  String eventType;

  @Option(names = "--filter", paramLabel = "ATTRIBUTE=VALUE[,VALUE...]",
      description = "Only events whose attribute has one of the values; repeat for more attributes.")
  List<String> filters = new ArrayList<>();

  @Option(names = "--form", paramLabel = "FORM_ID", description = "Submissions: only this form (--filter formId=…); repeat.")
  List<String> forms = List.of();

  @Option(names = "--tenant", paramLabel = "TENANT_ID",
      description = "Submissions: only this tenant (--filter tenantId=…); repeat.")
  List<String> tenants = List.of();

  /** The attribute filters, by attribute. */
  Map<String, Set<String>> filters() {
    Map<String, Set<String>> byAttribute = new TreeMap<>();
    for (String filter : filters) {
      int equals = filter.indexOf('=');
      if (equals <= 0 || equals == filter.length() - 1) {
        throw new UsageException("--filter '" + filter + "': give ATTRIBUTE=VALUE[,VALUE...]");
      }
      for (String value : filter.substring(equals + 1).split(",")) {
        if (!value.isBlank()) {
          byAttribute.computeIfAbsent(filter.substring(0, equals).strip(), a -> new LinkedHashSet<>()).add(value.strip());
        }
      }
    }
    if (!forms.isEmpty()) {
      byAttribute.computeIfAbsent("formId", a -> new LinkedHashSet<>()).addAll(forms);
    }
    if (!tenants.isEmpty()) {
      byAttribute.computeIfAbsent("tenantId", a -> new LinkedHashSet<>()).addAll(tenants);
    }
    return byAttribute;
  }

  /** {@code request} of the chosen event type, if one was chosen. */
  BackfillRequest apply(BackfillRequest request) {
    return eventType == null ? request : request.withEventType(eventType);
  }
}
