package dev.reprise.workflow.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The workflows installed: found with {@link ServiceLoader} ({@code
 * META-INF/services/dev.reprise.workflow.api.Workflow}) on the thread's context class loader,
 * which is where {@code reprise --plugin PATH} puts a team's jars. Each needs a public no-argument
 * constructor.
 *
 * <pre>{@code
 * Workflow notify = Workflows.byName("notify").orElseThrow();
 * }</pre>
 */
public final class Workflows {

  private Workflows() {}

  /** Every installed workflow, by name, sorted. */
  public static Map<String, Workflow> all() {
    Map<String, Workflow> byName = new TreeMap<>();
    List<String> clashes = new ArrayList<>();
    for (Workflow workflow : ServiceLoader.load(Workflow.class, Thread.currentThread().getContextClassLoader())) {
      Workflow earlier = byName.putIfAbsent(workflow.name(), workflow);
      if (earlier != null && !earlier.getClass().getName().equals(workflow.getClass().getName())) {
        clashes.add("'" + workflow.name() + "' (" + earlier.getClass().getName() + ", " + workflow.getClass().getName()
            + ")");
      }
    }
    if (!clashes.isEmpty()) {
      throw new IllegalStateException("two installed workflows share a name: " + String.join("; ", clashes));
    }
    return byName;
  }

  /** The installed workflow named {@code name}. */
  public static Optional<Workflow> byName(String name) {
    return Optional.ofNullable(all().get(name));
  }

  /** The installed workflows' names, for messages. */
  public static String names() {
    return all().keySet().stream().collect(Collectors.joining(", "));
  }
}
