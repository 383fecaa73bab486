package dev.reprise.workflow;

import dev.reprise.registry.SchemaRegistryClient;
import dev.reprise.protocol.internal.CommittedTopic;
import dev.reprise.workflow.internal.ReceiptCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A workflow's receipts for one backfill (or for live traffic), by event: what verification and
 * reports count. A receipt says which path handled its event: the backfill's id, or none for live.
 *
 * <pre>{@code
 * Map<String, List<Receipt>> byEvent = WorkflowReceipts.of(clientConfig, registry, "notify", "orders-2023");
 * }</pre>
 */
public final class WorkflowReceipts {

  private WorkflowReceipts() {}

  /** Every receipt of {@code backfillId} on the workflow's receipts topic, per event id, oldest first. */
  public static Map<String, List<Receipt>> of(Map<String, ?> clientConfig, SchemaRegistryClient registry,
      String workflow, String backfillId) {
    return of(clientConfig, registry, workflow, java.util.Optional.of(backfillId));
  }

  /** Every receipt of live traffic (no backfill) on the workflow's receipts topic, per event id, oldest first. */
  public static Map<String, List<Receipt>> live(Map<String, ?> clientConfig, SchemaRegistryClient registry,
      String workflow) {
    return of(clientConfig, registry, workflow, java.util.Optional.empty());
  }

  private static Map<String, List<Receipt>> of(Map<String, ?> clientConfig, SchemaRegistryClient registry,
      String workflow, java.util.Optional<String> path) {
    return read(clientConfig, registry, workflow, WorkflowTopics.receipts(workflow), path);
  }

  /** The receipts on {@code topic} (the receipts, or the dry runs) of one path, per event id, oldest first. */
  static Map<String, List<Receipt>> read(Map<String, ?> clientConfig, SchemaRegistryClient registry, String workflow,
      String topic, java.util.Optional<String> path) {
    ReceiptCodec codec = new ReceiptCodec(registry, workflow);
    Map<String, List<Receipt>> byEvent = new LinkedHashMap<>();
    CommittedTopic.read(clientConfig, topic).forEach(record -> {
      Receipt receipt = codec.decode(record.value());
      if (receipt.backfillId().equals(path)) {
        byEvent.computeIfAbsent(receipt.eventId(), id -> new ArrayList<>()).add(receipt);
      }
    });
    return byEvent;
  }

  /** Whether the workflow saw the event, as its latest receipt says: anything but FAILED. */
  public static boolean handled(List<Receipt> receipts) {
    return !receipts.isEmpty() && receipts.get(receipts.size() - 1).outcome() != ReceiptOutcome.FAILED;
  }
}
