package dev.reprise.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprise.spi.EventType;
import dev.reprise.spi.EventTypes;
import dev.reprise.workflow.Workflow;
import dev.reprise.workflow.builtin.FormDailyStatsWorkflow;
import dev.reprise.workflow.builtin.NotifyWorkflow;
import java.io.PrintWriter;
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
 * {@code reprise plugins [--json]}: the event types on the class path (found with {@code
 * ServiceLoader}, as the coordinator, the verifier and the workflow runtime find them) with their
 * versions, upcasters and filter attributes, and the workflows {@code reprise worker} runs.
 */
@Command(name = "plugins", mixinStandardHelpOptions = true,
    description = {"List the event types on the class path (versions, upcasters, filter attributes) and the workflows"
        + " 'reprise worker' can run."})
final class PluginsCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--json", description = "Print the listing as one JSON object.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    List<Map<String, Object>> types = new ArrayList<>();
    for (EventType type : EventTypes.all().values()) {
      Map<String, Object> view = new LinkedHashMap<>();
      view.put("name", type.name());
      view.put("class", type.getClass().getName());
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
    for (Workflow workflow : List.of(new NotifyWorkflow(), new FormDailyStatsWorkflow())) {
      workflows.add(Map.of("name", workflow.name(), "effectsInReplay",
          workflow.replayRules().effectsAllowed() ? "ALLOWED" : "FORBIDDEN: " + workflow.replayRules().reason().orElse("")));
    }
    if (json) {
      out.println(new ObjectMapper().writeValueAsString(Map.of("eventTypes", types, "workflows", workflows)));
    } else {
      out.printf("Event types (%d):%n", types.size());
      for (Map<String, Object> type : types) {
        out.printf("  %s  (%s)%n    versions 1..%s, replays to v%s or later; filter on %s%n    upcasters: %s%n",
            type.get("name"), type.get("class"), type.get("latestVersion"), type.get("minTargetVersion"),
            type.get("filterAttributes"), type.get("upcasters"));
      }
      out.printf("Workflows (built in):%n");
      workflows.forEach(w -> out.printf("  %s  (effects in replay: %s)%n", w.get("name"), w.get("effectsInReplay")));
    }
    out.flush();
    return 0;
  }
}
