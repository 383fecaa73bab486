package dev.reprise.coordinator.internal;

import dev.reprise.protocol.BackfillCounters;
import dev.reprise.protocol.BackfillDeadLetters;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.registry.serde.RegistryAvroSerdeConfig;
import dev.reprise.replay.EventFilter;
import dev.reprise.replay.EventReplayer;
import dev.reprise.spi.EventType;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A RETRY of a completed backfill's own dead letters: source records that could not be replayed
 * (an upcaster refused them, their schema was unknown), tried again once what failed them is fixed,
 * typically a new version of the event type's plugin on the coordinator.
 *
 * <p>Each dead letter asked for (or every one not retried yet) goes through the event type's
 * current pipeline, exactly as the run would have replayed it: what now matches is published to the
 * backfill topic, keyed and partitioned as its source record, with its provenance; what the range or
 * filters leave out is counted as filtered out. All of it commits in one transaction of the
 * backfill's own transactional id, with a status whose counters move from dead-lettered to
 * published (or filtered out) and that lists the items retried, so none is published twice. A
 * dead letter that still fails stays one, and may be retried again after another fix.
 *
 * <p>The backfill returns to COMPLETED: its topic changed, so a verification recorded before it no
 * longer holds. Workflows following the backfill topic see the new records as any others (their
 * dedup makes each effect happen once).
 *
 * <pre>{@code
 * DeadLetterRetry.Outcome outcome = DeadLetterRetry.run(ctx, status, List.of("2@17"));
 * outcome.summary();   // "1 dead letter(s) retried: 1 published"
 * }</pre>
 */
public final class DeadLetterRetry {

  /**
   * @param status the status committed with the retried records; empty if nothing changed
   * @param summary what happened, for the audit trail and the requester
   * @param problems items that were not retried and why (unknown, retried before, still failing)
   */
  public record Outcome(Optional<BackfillStatus> status, String summary, List<String> problems) {}

  private DeadLetterRetry() {}

  /**
   * Why {@code status} cannot have its dead letters retried; empty if it can: an EXECUTE that
   * completed (verified or not).
   */
  public static Optional<String> refusal(BackfillStatus status) {
    if (status.request().map(r -> r.mode() != BackfillRequest.Mode.EXECUTE).orElse(true)) {
      return Optional.of("backfill '" + status.backfillId() + "' is a PREVIEW: it has no dead letters to retry");
    }
    if (!status.state().canBeVerified()) {
      return Optional.of("backfill '" + status.backfillId() + "' is " + status.state() + "; its dead letters can be"
          + " retried once it has completed");
    }
    return Optional.empty();
  }

  /** Retries {@code items} ({@code partition@offset} of the dead-letter topic; empty: all not retried yet). */
  public static Outcome run(RunContext ctx, BackfillStatus status, List<String> items) {
    String id = status.backfillId();
    BackfillRequest request = status.request().orElseThrow();
    java.util.Set<String> retried = new LinkedHashSet<>(status.retriedDeadLetters());
    List<String> problems = new ArrayList<>();
    Map<String, BackfillDeadLetters.Letter> letters = new LinkedHashMap<>();
    BackfillDeadLetters.read(ctx.clientConfig(), id).forEach(letter -> letters.put(letter.item(), letter));
    List<String> chosen = new ArrayList<>();
    if (items.isEmpty()) {
      letters.keySet().stream().filter(item -> !retried.contains(item)).forEach(chosen::add);
    } else {
      for (String item : new LinkedHashSet<>(items)) {
        if (retried.contains(item)) {
          problems.add(item + " was retried before");
        } else if (!letters.containsKey(item)) {
          problems.add(item + " is not a dead letter of " + ControlTopics.deadLetterTopic(id));
        } else {
          chosen.add(item);
        }
      }
    }
    if (chosen.isEmpty()) {
      return new Outcome(Optional.empty(), "no dead letter to retry", problems);
    }

    EventType type = ctx.eventType(request);
    int targetVersion = request.targetSchemaVersion().orElse(type.versions().latestVersion());
    String backfillTopic = ControlTopics.backfillTopic(id);
    int targetSchemaId = ctx.registry().register(RegistryAvroSerdeConfig.subject(backfillTopic, false),
        type.versions().schema(targetVersion));
    EventReplayer replayer = new EventReplayer(ctx.registry(), type,
        new EventFilter(request.fromMillis(), request.toMillis(), request.filters()), targetVersion, targetSchemaId);
    Map<String, Long> counters = new HashMap<>(status.counters());
    TreeMap<LocalDate, Long> perDay = new TreeMap<>(status.countsPerDay());
    int published = 0;
    int filtered = 0;
    int tombstones = 0;
    ReplayPublisher publisher = new ReplayPublisher(ctx, id, request.sourceTopic());
    try {
      publisher.headersFor(status.partitions().size(), type.versions().latestVersion());
      publisher.open();
      publisher.begin();
      for (String item : chosen) {
        BackfillDeadLetters.Letter letter = letters.get(item);
        // Published as the source record it was: its key, its partition, its provenance.
        ConsumerRecord<byte[], byte[]> source = new ConsumerRecord<>(request.sourceTopic(), letter.sourcePartition(),
            letter.sourceOffset(), letter.record().key(), letter.record().value());
        EventReplayer.Outcome outcome = replayer.process(letter.record().value());
        if (outcome instanceof EventReplayer.Matched matched) {
          publisher.replayed(backfillTopic, source, matched);
          published++;
          perDay.merge(LocalDate.ofInstant(Instant.ofEpochMilli(matched.eventTimeMillis()), ZoneOffset.UTC), 1L, Long::sum);
        } else if (outcome instanceof EventReplayer.FilteredOut) {
          filtered++;
        } else if (outcome instanceof EventReplayer.Tombstone) {
          tombstones++;
        } else if (outcome instanceof EventReplayer.DeadLetter dead) {
          problems.add(item + " still fails (" + dead.stage() + "): " + dead.error().getMessage());
          continue;
        }
        retried.add(item);
      }
      int resolved = published + filtered + tombstones;
      if (resolved == 0) {
        publisher.abort();
        return new Outcome(Optional.empty(), "no dead letter could be replayed", problems);
      }
      counters.merge(BackfillCounters.DEAD_LETTERED, (long) -resolved, Long::sum);
      counters.merge(BackfillCounters.MATCHED, (long) published, Long::sum);
      counters.merge(BackfillCounters.PUBLISHED, (long) published, Long::sum);
      counters.merge(BackfillCounters.FILTERED_OUT, (long) filtered, Long::sum);
      counters.merge(BackfillCounters.TOMBSTONES, (long) tombstones, Long::sum);
      String summary = resolved + " dead letter(s) retried: " + published + " published, " + filtered
          + " filtered out" + (problems.isEmpty() ? "" : "; " + problems.size() + " not: " + problems.get(0));
      BackfillStatus after = new BackfillStatus(id, BackfillState.COMPLETED, Optional.of("RETRY: " + summary),
          status.request(), Optional.of(ctx.instanceId()), counters, status.partitions(), perDay, 0.0,
          status.etaSeconds(), status.evolution(), status.samples(), status.rejectedCommand(), status.startedAt(),
          Optional.empty(), status.estimatedSeconds(), List.of(), List.copyOf(retried), ctx.clock().instant());
      publisher.commit(after, null);
      return new Outcome(Optional.of(after), summary, problems);
    } finally {
      publisher.close();
    }
  }
}
