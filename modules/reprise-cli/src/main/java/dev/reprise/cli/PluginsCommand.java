package dev.reprise.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprise.spi.EventType;
import dev.reprise.spi.EventTypes;
import dev.reprise.workflow.api.Workflow;
import dev.reprise.workflow.api.Workflows;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reprise plugins [--json] [--plugin PATH]}: the event types installed (found with {@code
 * ServiceLoader}, as the coordinator, the verifier and the workflow runtime find them) with their
 * versions, upcasters and filter attributes, and the workflows {@code reprise worker} runs — built
 * in and from {@code --plugin} jars, each with the jar it came from.
 */
@Command(name = "plugins", mixinStandardHelpOptions = true,
    description = {"List the installed event types (versions, upcasters, filter attributes) and the workflows"
        + " 'reprise worker' can run: built in and from --plugin jars."})
final class PluginsCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--json", description = "Print the listing as one JSON object.")
  boolean json;

  /** The jar (or directory) a plugin class was loaded from: which --plugin it came with. */
  private static String source(Class<?> type) {
    var domain = type.getProtectionDomain().getCodeSource();
    return domain == null || domain.getLocation() == null ? "?" : Path.of(java.net.URI.create(domain.getLocation()
        .toString())).getFileName().toString();
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    List<Map<String, Object>> types = new ArrayList<>();
    for (EventType type : EventTypes.all().values()) {
      Map<String, Object> view = new LinkedHashMap<>();
      view.put("name", type.name());
      view.put("class", type.getClass().getName());
      view.put("source", source(type.getClass()));
      List<Map<String, Object>> versions = new ArrayList<>();
      for (int v = 1; v <= type.versions().latestVersion(); v++) {
        versions.add(Map.of("version", v, "schema", type.versions().schema(v).getFullName()));
      }
      view.put("versions", versions);
      view.put("latestVersion", type.versions().latestVersion());
      view.put("minTargetVersion", type.minTargetVersion());
      view.put("upcasters", type.newChain().steps());
      view.put("filterAttributes", new TreeSet<>(type.attributeNames()));
      types.add(view);
    }
    List<Map<String, Object>> workflows = new ArrayList<>();
    for (Workflow workflow : Workflows.all().values()) {
      Map<String, Object> view = new LinkedHashMap<>();
      view.put("name", workflow.name());
      view.put("class", workflow.getClass().getName());
      view.put("source", source(workflow.getClass()));
      view.put("eventType", workflow.eventType().orElse("(the only one installed)"));
      view.put("sinks", new TreeSet<>(workflow.sinks()));
      view.put("effectsInReplay", workflow.replayRules().effectsAllowed() ? "ALLOWED"
          : "FORBIDDEN: " + workflow.replayRules().reason().orElse(""));
      workflows.add(view);
    }
    if (json) {
      out.println(new ObjectMapper().writeValueAsString(Map.of("eventTypes", types, "workflows", workflows)));
    } else {
      out.printf("Event types (%d):%n", types.size());
      for (Map<String, Object> type : types) {
        out.printf("  %s  (%s, from %s)%n    versions 1..%s, replays to v%s or later; filter on %s%n    upcasters: %s%n",
            type.get("name"), type.get("class"), type.get("source"), type.get("latestVersion"),
            type.get("minTargetVersion"), type.get("filterAttributes"), type.get("upcasters"));
      }
      out.printf("Workflows (%d):%n", workflows.size());
      workflows.forEach(w -> out.printf("  %s  (%s, from %s)%n    handles %s; sinks %s; effects in replay: %s%n",
          w.get("name"), w.get("class"), w.get("source"), w.get("eventType"), w.get("sinks"), w.get("effectsInReplay")));
    }
    out.flush();
    return 0;
  }
}
