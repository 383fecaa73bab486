package dev.reprise.workflow.api;

import java.util.Optional;

/**
 * A workflow's own keyed state: persistent (RocksDB), changelogged, and updated exactly once with
 * the event that changes it. Writes of a handler that throws are discarded with the event.
 *
 * <pre>{@code
 * long seen = context.state().get("count").map(Long::parseLong).orElse(0L);
 * context.state().put("count", Long.toString(seen + 1));
 * }</pre>
 *
 * <p>The state lives in the stream task of the event's partition: keys must derive from the
 * event's key (e.g. its entity) or from something only events of one partition share, or be
 * aggregated downstream from the view.
 */
public interface WorkflowState {

  Optional<String> get(String key);

  void put(String key, String value);

  void delete(String key);
}
