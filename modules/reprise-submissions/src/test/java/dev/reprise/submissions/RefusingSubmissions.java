package dev.reprise.submissions;

import dev.reprise.spi.EventType;
import dev.reprise.spi.EventWindow;
import dev.reprise.spi.SchemaVersions;
import dev.reprise.spi.upcast.UpcastException;
import dev.reprise.spi.upcast.UpcastReport;
import dev.reprise.spi.upcast.Upcaster;
import dev.reprise.spi.upcast.UpcasterChain;
import dev.reprise.submissions.upcast.SubmissionV1ToV2Upcaster;
import dev.reprise.submissions.upcast.SubmissionV2ToV3Upcaster;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;

/**
 * A broken release of the submissions plugin, for tests of what happens after it is fixed: its
 * v2 → v3 upcaster wrongly refuses every seventh submission (by id) with {@code problem}, after the
 * real upcaster has accepted it, so the history's own dirt still fails the same way once {@link
 * SubmissionEventType} (the fix) replaces it.
 *
 * <pre>{@code
 * coordinator.eventType(new RefusingSubmissions("refused by the broken plugin"));
 * }</pre>
 */
public final class RefusingSubmissions implements EventType {
  private final SubmissionEventType real = new SubmissionEventType();
  private final String problem;

  public RefusingSubmissions(String problem) {
    this.problem = problem;
  }

  /** Whether this plugin refuses {@code submissionId}: what a test expects among the dead letters. */
  public static boolean refuses(String submissionId) {
    return Math.floorMod(submissionId.hashCode(), 7) == 0;
  }

  @Override
  public String name() {
    return real.name();
  }

  @Override
  public SchemaVersions versions() {
    return real.versions();
  }

  @Override
  public UpcasterChain newChain() {
    Upcaster good = new SubmissionV2ToV3Upcaster(SubmissionEventType.DEFAULT_TENANT);
    Upcaster wrong = new Upcaster() {
      @Override
      public int fromVersion() {
        return 2;
      }

      @Override
      public GenericRecord upcast(GenericRecord record, UpcastReport report) {
        // The real refusals first: a record the history made dirty stays dirty after the fix.
        GenericRecord upcast = good.upcast(record, report);
        String submission = record.get("submissionId").toString();
        if (refuses(submission)) {
          throw new UpcastException("submission '" + submission + "'", 2, 3, "submissionId", submission, problem, null);
        }
        return upcast;
      }
    };
    return UpcasterChain.of(real.versions(),
        List.of(new SubmissionV1ToV2Upcaster(SubmissionEventType.DEFAULT_MISSING_ZONE), wrong));
  }

  @Override
  public String eventId(GenericRecord event) {
    return real.eventId(event);
  }

  @Override
  public long eventTimeMillis(GenericRecord event) {
    return real.eventTimeMillis(event);
  }

  @Override
  public Map<String, String> attributes(GenericRecord event) {
    return real.attributes(event);
  }

  @Override
  public Set<String> attributeNames() {
    return real.attributeNames();
  }

  @Override
  public EventWindow windowOf(GenericRecord raw, int version) {
    return real.windowOf(raw, version);
  }
}
