package dev.reprise.workflow;

import dev.reprise.registry.SchemaRegistryClient;
import dev.reprise.workflow.internal.CommittedTopic;
import dev.reprise.workflow.internal.ReceiptCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A workflow's receipts for one backfill, by event: what verification and reports count.
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
    ReceiptCodec codec = new ReceiptCodec(registry, workflow);
    Map<String, List<Receipt>> byEvent = new LinkedHashMap<>();
    CommittedTopic.read(clientConfig, WorkflowTopics.receipts(workflow)).forEach(record -> {
      Receipt receipt = codec.decode(record.value());
      if (receipt.backfillId().filter(backfillId::equals).isPresent()) {
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
