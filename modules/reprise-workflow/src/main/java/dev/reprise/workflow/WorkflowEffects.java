package dev.reprise.workflow;

import dev.reprise.registry.SchemaRegistryClient;
import dev.reprise.workflow.api.Effect;
import dev.reprise.protocol.internal.CommittedTopic;
import dev.reprise.workflow.internal.EffectRequest;
import dev.reprise.workflow.internal.EffectRequestCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The effects a workflow asked its sinks to perform for one backfill, by event, as its outbox
 * ({@link WorkflowTopics#effects}) holds them: only effects that were to run (a suppressed event
 * asks for none), each idempotency key once however often its event was retried.
 *
 * <pre>{@code
 * Map<String, List<Effect>> byEvent = WorkflowEffects.of(clientConfig, registry, "notify", "orders-2023");
 * }</pre>
 */
public final class WorkflowEffects {

  private WorkflowEffects() {}

  /** Per event id, in the order first asked; empty if the workflow has no outbox. */
  public static Map<String, List<Effect>> of(Map<String, ?> clientConfig, SchemaRegistryClient registry,
      String workflow, String backfillId) {
    EffectRequestCodec codec = new EffectRequestCodec(registry, workflow);
    Map<String, Map<String, Effect>> byEvent = new LinkedHashMap<>();
    Optional<String> path = Optional.of(backfillId);
    CommittedTopic.read(clientConfig, WorkflowTopics.effects(workflow)).forEach(record -> {
      EffectRequest request = codec.decode(record.value());
      if (request.backfillId().equals(path)) {
        Map<String, Effect> effects = byEvent.computeIfAbsent(request.eventId(), id -> new LinkedHashMap<>());
        request.effects().forEach(effect -> effects.putIfAbsent(effect.idempotencyKey(), effect));
      }
    });
    Map<String, List<Effect>> result = new LinkedHashMap<>();
    byEvent.forEach((event, effects) -> result.put(event, List.copyOf(new ArrayList<>(effects.values()))));
    return result;
  }
}
