package dev.reprise.workflow;

import dev.reprise.registry.SchemaRegistryClient;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a workflow would do for a PREVIEW that names it, from its dry run ({@link
 * WorkflowTopics#dryRuns}): per outcome, the events EXECUTE would process (performing effects),
 * suppress (recording them), pass as duplicates (its dedup store has them) or fail; the effects
 * per sink; per day the events that would perform effects; and a few examples.
 *
 * <pre>{@code
 * WorkflowDryRun dryRun = WorkflowDryRun.of(clientConfig, registry, "notify", "orders-2023-preview");
 * System.out.println(dryRun.describe());   // notify would perform 12,193 effects (webhook 12,193) ...
 * }</pre>
 *
 * <p>Each event counts once, as its latest dry-run receipt: a preview scanned again after a
 * coordinator takeover sends some events twice.
 *
 * @param events events the dry run saw
 * @param outcomes events per would-be outcome (every outcome present)
 * @param effectsPerSink effects that would be performed, per sink (PROCESSED events only)
 * @param performingPerDay per day of event time, the events that would perform effects
 * @param examples up to five would-be effects, {@code sink: description}
 * @param failures up to five would-be failures, {@code event: why}
 * @param distinctTargetsPerSink per sink, how many distinct targets its would-be effects reach, of
 *     those the workflow names a target for ({@code Effect.to})
 * @param payloadSamples up to three would-be payloads (each cut to {@link Receipt#SAMPLE_CHARS})
 */
public record WorkflowDryRun(String workflow, String backfillId, long events, Map<ReceiptOutcome, Long> outcomes,
    Map<String, Long> effectsPerSink, SortedMap<LocalDate, Long> performingPerDay, List<String> examples,
    List<String> failures, Map<String, Long> distinctTargetsPerSink, List<String> payloadSamples) {

  private static final int LISTED = 5;
  private static final int PAYLOADS = 3;

  public WorkflowDryRun {
    outcomes = Map.copyOf(outcomes);
    effectsPerSink = Map.copyOf(effectsPerSink);
    performingPerDay = new TreeMap<>(performingPerDay);
    examples = List.copyOf(examples);
    failures = List.copyOf(failures);
    distinctTargetsPerSink = Map.copyOf(distinctTargetsPerSink);
    payloadSamples = List.copyOf(payloadSamples);
  }

  /** The dry run of {@code workflow} for PREVIEW {@code backfillId}, as far as it got. */
  public static WorkflowDryRun of(Map<String, ?> clientConfig, SchemaRegistryClient registry, String workflow,
      String backfillId) {
    List<Receipt> latest = WorkflowReceipts.read(clientConfig, registry, workflow, WorkflowTopics.dryRuns(workflow),
        Optional.of(backfillId)).values().stream().map(receipts -> receipts.get(receipts.size() - 1)).toList();
    Map<ReceiptOutcome, Long> outcomes = new EnumMap<>(ReceiptOutcome.class);
    for (ReceiptOutcome outcome : ReceiptOutcome.values()) {
      outcomes.put(outcome, 0L);
    }
    Map<String, Long> perSink = new TreeMap<>();
    SortedMap<LocalDate, Long> perDay = new TreeMap<>();
    List<String> examples = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    Map<String, Set<String>> targets = new TreeMap<>();
    List<String> payloads = new ArrayList<>();
    for (Receipt receipt : latest) {
      outcomes.merge(receipt.outcome(), 1L, Long::sum);
      if (receipt.outcome() == ReceiptOutcome.PROCESSED && !receipt.effects().isEmpty()) {
        for (int i = 0; i < receipt.effects().size(); i++) {
          String effect = receipt.effects().get(i);
          int colon = effect.indexOf(": ");
          String sink = colon < 0 ? effect : effect.substring(0, colon);
          perSink.merge(sink, 1L, Long::sum);
          if (examples.size() < LISTED) {
            examples.add(effect);
          }
          String target = i < receipt.targets().size() ? receipt.targets().get(i) : "";
          if (!target.isEmpty()) {
            targets.computeIfAbsent(sink, s -> new HashSet<>()).add(target);
          }
        }
        if (payloads.size() < PAYLOADS) {
          receipt.payloadSample().ifPresent(payloads::add);
        }
        if (!receipt.eventDay().isEmpty()) {
          perDay.merge(LocalDate.parse(receipt.eventDay()), 1L, Long::sum);
        }
      }
      if (receipt.outcome() == ReceiptOutcome.FAILED && failures.size() < LISTED) {
        failures.add(receipt.eventId() + ": " + receipt.detail().orElse("?"));
      }
    }
    Map<String, Long> distinct = new TreeMap<>();
    targets.forEach((sink, reached) -> distinct.put(sink, (long) reached.size()));
    return new WorkflowDryRun(workflow, backfillId, latest.size(), outcomes, perSink, perDay, examples, failures,
        distinct, payloads);
  }

  /** Effects EXECUTE would perform, on every sink. */
  public long effects() {
    return effectsPerSink.values().stream().mapToLong(Long::longValue).sum();
  }

  /** One line a person reads: what EXECUTE would do, and what it would not. */
  public String describe() {
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%s would perform %,d effect(s)", workflow,
        effects()));
    if (!effectsPerSink.isEmpty()) {
      out.append(" (");
      effectsPerSink.forEach((sink, count) -> out.append(String.format(Locale.ROOT, "%s %,d, ", sink, count)));
      out.setLength(out.length() - 2);
      out.append(')');
    }
    out.append(String.format(Locale.ROOT, " for %,d of %,d event(s)", outcomes.get(ReceiptOutcome.PROCESSED), events));
    distinctTargetsPerSink.forEach((sink, count) ->
        out.append(String.format(Locale.ROOT, ", %s to %,d distinct target(s)", sink, count)));
    long suppressed = outcomes.get(ReceiptOutcome.SUPPRESSED);
    if (suppressed > 0) {
      out.append(String.format(Locale.ROOT, "; %,d with effects suppressed (recorded only)", suppressed));
    }
    long duplicates = outcomes.get(ReceiptOutcome.DUPLICATE);
    if (duplicates > 0) {
      out.append(String.format(Locale.ROOT, "; %,d already handled (no second effect)", duplicates));
    }
    long failed = outcomes.get(ReceiptOutcome.FAILED);
    if (failed > 0) {
      out.append(String.format(Locale.ROOT, "; %,d would fail: %s", failed, String.join("; ", failures)));
    }
    return out.toString();
  }
}
