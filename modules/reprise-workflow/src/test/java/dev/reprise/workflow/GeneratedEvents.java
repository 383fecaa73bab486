package dev.reprise.workflow;

import dev.reprise.history.GeneratedRecord;
import dev.reprise.history.HistoryGenerator;
import java.util.ArrayList;
import java.util.List;

/** What a workflow must see of generated history, from the generator's own truth. */
final class GeneratedEvents {

  private GeneratedEvents() {}

  /** The event ids ({@code submissionId#revision}) of the records that upcast, in write order. */
  static List<String> ids(HistoryGenerator history) {
    List<String> ids = new ArrayList<>();
    for (GeneratedRecord record : history) {
      if (record.kind().upcasts()) {
        ids.add(record.truth().submissionId() + "#" + record.truth().revision());
      }
    }
    return ids;
  }
}
