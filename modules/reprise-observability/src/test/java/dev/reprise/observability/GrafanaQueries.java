package dev.reprise.observability;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The metric names a Grafana dashboard's PromQL queries read. */
final class GrafanaQueries {

  private static final Set<String> PROMQL_WORDS = Set.of("sum", "max", "min", "avg", "count", "rate", "irate",
      "increase", "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "offset",
      "histogram_quantile", "label_values", "topk", "bottomk", "abs", "clamp_min", "clamp_max", "delta", "deriv",
      "time", "vector", "scalar", "bool", "sort", "sort_desc");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

  private GrafanaQueries() {}

  /** Every metric name in every target's {@code expr} and every templating query of {@code dashboard}. */
  static Set<String> metricNames(JsonNode dashboard) {
    Set<String> names = new TreeSet<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        names.addAll(metricNames(target.path("expr").asText()));
      }
    }
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      names.addAll(metricNames(variable.path("definition").asText()));
    }
    return names;
  }

  /** The metric names one PromQL expression reads. */
  static Set<String> metricNames(String expr) {
    String stripped = expr
        .replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")              // strings
        .replaceAll("\\{[^}]*}", " ")                                 // label matchers
        .replaceAll("\\[[^]]*]", " ")                                 // range selectors
        .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ") // grouping labels
        .replaceAll("label_values\\(([^,)]+),[^)]*\\)", "$1")         // label_values(metric, label)
        .replaceAll("\\$\\w+", " ");                                  // dashboard variables
    Set<String> names = new TreeSet<>();
    Matcher matcher = IDENTIFIER.matcher(stripped);
    while (matcher.find()) {
      String word = matcher.group();
      int end = matcher.end();
      boolean isFunction = end < stripped.length() && stripped.substring(end).stripLeading().startsWith("(");
      if (!PROMQL_WORDS.contains(word) && !isFunction) {
        names.add(word);
      }
    }
    return names;
  }
}
