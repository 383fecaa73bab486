package dev.reprise.coordinator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.reprise.core.RepriseNonRetriableException;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.protocol.ReplayCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who may replay what: per team, the source topics and event types it may replay, the filters
 * every request of it must include, the workflows it may ENABLE effects for, its maximum rate, and
 * whether it may act on other teams' backfills. A team is who sent a command, as the topic it
 * arrived on establishes ({@link ControlTopics#teamRequests}: on a secured cluster only the team's
 * principal may write it); this policy never trusts what a command says about its sender.
 *
 * <p>Written in YAML (or JSON); every key is checked, and a wrong one is named:
 *
 * <pre>{@code
 * teams:
 *   growth:
 *     sources: [submissions]          # the source topics it may replay (at least one)
 *     eventTypes: [submission]        # optional: only these event types (default: any)
 *     requiredFilters:                # optional: every START filters on these attributes,
 *       tenantId: [acme, globex]      #   to some of these values ([] = any values, but filtered)
 *     enableEffects: [notify]         # optional: workflows it may ENABLE effects for ("*": any)
 *     maxRecordsPerSecond: 5000       # optional: every START sets a rate, at most this; THROTTLE too
 *     controlOthers: false            # may PAUSE, RESUME, CANCEL, THROTTLE other teams' backfills
 *     verify: false                   # may VERIFY other teams' backfills (its own: always)
 *
 * AccessPolicy policy = AccessPolicy.load(Path.of("policy.yaml"));
 * List<String> problems = policy.startProblems("growth", request);   // empty: allowed
 * }</pre>
 *
 * <p>What it adds to the coordinator's allowlist ({@link ReplayCoordinatorBuilder#allowedSourceTopics}),
 * which still applies to everyone: a request must pass both.
 */
public final class AccessPolicy {

  /** What one team may do. */
  public record Team(String name, Set<String> sources, Optional<Set<String>> eventTypes,
      Map<String, Set<String>> requiredFilters, Set<String> enableEffects, OptionalDouble maxRecordsPerSecond,
      boolean controlOthers, boolean verify) {

    public Team {
      sources = Set.copyOf(sources);
      eventTypes = eventTypes.map(Set::copyOf);
      requiredFilters = Map.copyOf(requiredFilters);
      enableEffects = Set.copyOf(enableEffects);
    }

    boolean mayEnableEffectsFor(String workflow) {
      return enableEffects.contains("*") || enableEffects.contains(workflow);
    }
  }

  private static final Set<String> TEAM_KEYS = Set.of("sources", "eventTypes", "requiredFilters", "enableEffects",
      "maxRecordsPerSecond", "controlOthers", "verify");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final Map<String, Team> teams;

  private AccessPolicy(Map<String, Team> teams) {
    this.teams = Map.copyOf(teams);
  }

  /**
   * Reads a policy file.
   *
   * @throws InvalidPolicyException naming the file, and the key or value that is wrong
   */
  public static AccessPolicy load(Path file) {
    try {
      return parse(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new InvalidPolicyException(file + ": cannot read it: " + e.getMessage());
    }
  }

  /**
   * Reads a policy from YAML or JSON text.
   *
   * @param origin where the text is from, for error messages
   * @throws InvalidPolicyException naming the key or value that is wrong
   */
  public static AccessPolicy parse(String text, String origin) {
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (JsonProcessingException e) {
      throw new InvalidPolicyException(origin + ": not YAML or JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new InvalidPolicyException(origin + ": must be a map with the key 'teams'");
    }
    for (Iterator<String> keys = root.fieldNames(); keys.hasNext(); ) {
      String key = keys.next();
      if (!key.equals("teams")) {
        throw new InvalidPolicyException(origin + ": unknown key '" + key + "' (the only key is 'teams')");
      }
    }
    JsonNode teamsNode = root.path("teams");
    if (!teamsNode.isObject() || teamsNode.isEmpty()) {
      throw new InvalidPolicyException(origin + ": 'teams' must map at least one team name to what it may do");
    }
    Map<String, Team> teams = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = teamsNode.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      teams.put(entry.getKey(), team(origin + ": teams." + entry.getKey(), entry.getKey(), entry.getValue()));
    }
    return new AccessPolicy(teams);
  }

  private static Team team(String where, String name, JsonNode node) {
    try {
      ControlTopics.teamRequests(name);
    } catch (IllegalArgumentException e) {
      throw new InvalidPolicyException(where + ": " + e.getMessage());
    }
    if (!node.isObject()) {
      throw new InvalidPolicyException(where + ": must be a map of " + new TreeSet<>(TEAM_KEYS));
    }
    for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
      String key = keys.next();
      if (!TEAM_KEYS.contains(key)) {
        throw new InvalidPolicyException(where + ": unknown key '" + key + "' (known: " + new TreeSet<>(TEAM_KEYS) + ")");
      }
    }
    Set<String> sources = strings(where + ".sources", node.get("sources"));
    if (sources.isEmpty()) {
      throw new InvalidPolicyException(where + ".sources: must name at least one source topic the team may replay");
    }
    Optional<Set<String>> eventTypes = node.has("eventTypes")
        ? Optional.of(strings(where + ".eventTypes", node.get("eventTypes"))) : Optional.empty();
    Map<String, Set<String>> required = new LinkedHashMap<>();
    JsonNode filters = node.get("requiredFilters");
    if (filters != null && !filters.isNull()) {
      if (!filters.isObject()) {
        throw new InvalidPolicyException(where + ".requiredFilters: must map attribute names to lists of values");
      }
      filters.fields().forEachRemaining(f ->
          required.put(f.getKey(), strings(where + ".requiredFilters." + f.getKey(), f.getValue())));
    }
    Set<String> enable = node.has("enableEffects") ? strings(where + ".enableEffects", node.get("enableEffects")) : Set.of();
    OptionalDouble maxRate = OptionalDouble.empty();
    JsonNode rate = node.get("maxRecordsPerSecond");
    if (rate != null && !rate.isNull()) {
      if (!rate.isNumber() || !(rate.asDouble() > 0)) {
        throw new InvalidPolicyException(where + ".maxRecordsPerSecond: must be a positive number, was " + rate);
      }
      maxRate = OptionalDouble.of(rate.asDouble());
    }
    return new Team(name, sources, eventTypes, required, enable, maxRate, bool(where, node, "controlOthers"),
        bool(where, node, "verify"));
  }

  private static Set<String> strings(String where, JsonNode node) {
    if (node == null || node.isNull()) {
      return Set.of();
    }
    if (!node.isArray()) {
      throw new InvalidPolicyException(where + ": must be a list, was " + node);
    }
    Set<String> values = new LinkedHashSet<>();
    for (JsonNode value : node) {
      if (!value.isTextual() || value.asText().isBlank()) {
        throw new InvalidPolicyException(where + ": every entry must be a non-empty string, was " + value);
      }
      values.add(value.asText());
    }
    return values;
  }

  private static boolean bool(String where, JsonNode team, String key) {
    JsonNode node = team.get(key);
    if (node == null || node.isNull()) {
      return false;
    }
    if (!node.isBoolean()) {
      throw new InvalidPolicyException(where + "." + key + ": must be true or false, was " + node);
    }
    return node.asBoolean();
  }

  /** The teams it names. */
  public Set<String> teams() {
    return teams.keySet();
  }

  public Optional<Team> team(String name) {
    return Optional.ofNullable(teams.get(name));
  }

  /**
   * Why {@code requester} may not START {@code request} (of the event type the coordinator chose
   * for it); empty if it may.
   */
  public List<String> startProblems(Optional<String> requester, BackfillRequest request) {
    Optional<Team> found = requester.flatMap(this::team);
    if (found.isEmpty()) {
      return List.of(unknown(requester));
    }
    Team team = found.get();
    String who = "team '" + team.name() + "'";
    List<String> problems = new ArrayList<>();
    if (!team.sources().contains(request.sourceTopic())) {
      problems.add(who + " may not replay source topic '" + request.sourceTopic() + "' (it may replay: "
          + String.join(", ", new TreeSet<>(team.sources())) + ")");
    }
    String eventType = request.eventType().orElse("(default)");
    if (team.eventTypes().isPresent() && !team.eventTypes().get().contains(eventType)) {
      problems.add(who + " may not replay event type '" + eventType + "' (it may replay: "
          + String.join(", ", new TreeSet<>(team.eventTypes().get())) + ")");
    }
    team.requiredFilters().forEach((attribute, allowed) -> {
      Set<String> asked = request.filters().get(attribute);
      String values = allowed.isEmpty() ? "any values" : "one or more of: " + String.join(", ", new TreeSet<>(allowed));
      if (asked == null) {
        problems.add(who + " must filter on '" + attribute + "' (" + values + ")");
      } else if (!allowed.isEmpty() && !allowed.containsAll(asked)) {
        Set<String> outside = new TreeSet<>(asked);
        outside.removeAll(allowed);
        problems.add(who + " may not replay '" + attribute + "' " + String.join(", ", outside) + " (" + values + ")");
      }
    });
    if (request.effectsPolicy() == BackfillRequest.EffectsPolicy.ENABLE && request.mode() == BackfillRequest.Mode.EXECUTE) {
      List<String> refused = request.workflows().stream().filter(w -> !team.mayEnableEffectsFor(w)).toList();
      if (!refused.isEmpty()) {
        problems.add(who + " may not ENABLE effects for workflow(s) " + String.join(", ", refused)
            + (team.enableEffects().isEmpty() ? " (it may enable none)"
                : " (it may enable: " + String.join(", ", new TreeSet<>(team.enableEffects())) + ")"));
      }
    }
    if (team.maxRecordsPerSecond().isPresent()) {
      double cap = team.maxRecordsPerSecond().getAsDouble();
      if (request.maxRecordsPerSecond().isEmpty()) {
        problems.add(who + " must set maxRecordsPerSecond (at most " + format(cap) + ")");
      } else if (request.maxRecordsPerSecond().getAsDouble() > cap) {
        problems.add(who + " may replay at most " + format(cap) + " records/s, asked "
            + format(request.maxRecordsPerSecond().getAsDouble()));
      }
    }
    return problems;
  }

  /**
   * Why {@code requester} may not send {@code command} (any but START) to the backfill that {@code
   * starter} started (empty: started before the policy, by nobody established); empty if it may.
   */
  public Optional<String> commandProblem(Optional<String> requester, ReplayCommand command, Optional<String> starter) {
    Optional<Team> found = requester.flatMap(this::team);
    if (found.isEmpty()) {
      return Optional.of(unknown(requester));
    }
    Team team = found.get();
    boolean own = starter.equals(Optional.of(team.name()));
    String whose = starter.map(s -> "started by team '" + s + "'").orElse("started by no established team");
    String who = "team '" + team.name() + "'";
    if (command.type() == ReplayCommand.Type.VERIFY) {
      return own || team.verify() ? Optional.empty()
          : Optional.of(who + " may not VERIFY backfill '" + command.backfillId() + "', " + whose
              + " (its policy has no 'verify: true')");
    }
    if (!own && !team.controlOthers()) {
      return Optional.of(who + " may not " + command.type() + " backfill '" + command.backfillId() + "', " + whose
          + " (its policy has no 'controlOthers: true')");
    }
    if (command.type() == ReplayCommand.Type.THROTTLE && team.maxRecordsPerSecond().isPresent()
        && command.maxRecordsPerSecond().isPresent()
        && command.maxRecordsPerSecond().getAsDouble() > team.maxRecordsPerSecond().getAsDouble()) {
      return Optional.of(who + " may set at most " + format(team.maxRecordsPerSecond().getAsDouble())
          + " records/s, asked " + format(command.maxRecordsPerSecond().getAsDouble()));
    }
    return Optional.empty();
  }

  private String unknown(Optional<String> requester) {
    return requester.map(team -> "team '" + team + "' is not in the access policy (teams: "
            + String.join(", ", new TreeSet<>(teams.keySet())) + ")")
        .orElse("no requester is established: with an access policy, commands come through a team's topic "
            + ControlTopics.REQUESTS + ".<team>, whose topic says who sent them");
  }

  private static String format(double rate) {
    return rate == Math.rint(rate) ? String.valueOf((long) rate) : String.valueOf(rate);
  }

  /** A policy that cannot be used, naming what is wrong. */
  public static final class InvalidPolicyException extends RepriseNonRetriableException {
    public InvalidPolicyException(String message) {
      super("access policy " + message);
    }
  }
}
