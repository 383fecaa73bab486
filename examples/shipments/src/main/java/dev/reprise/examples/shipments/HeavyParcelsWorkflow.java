package dev.reprise.examples.shipments;

import dev.reprise.workflow.api.Effect;
import dev.reprise.workflow.api.Event;
import dev.reprise.workflow.api.Workflow;
import dev.reprise.workflow.api.WorkflowContext;
import java.util.Optional;
import java.util.Set;

/**
 * A team's workflow: alerts the warehouse (sink {@code alerts}) about every parcel of 20 kg or
 * more, once per shipment revision. It reads the v3 record whatever version the shipment was
 * written in: Reprise upcast it first.
 *
 * <pre>{@code
 * reprise worker --plugin target/reprise-example-shipments-0.1.0-SNAPSHOT.jar --workflow heavy-parcels \
 *     --sink alerts=http://127.0.0.1:9555/hook --live-topic shipments
 * }</pre>
 */
public final class HeavyParcelsWorkflow implements Workflow {

  /** Its name. */
  public static final String NAME = "heavy-parcels";
  /** The sink its alerts go to. */
  public static final String SINK = "alerts";
  /** From this weight on, a parcel is heavy. */
  public static final double HEAVY_KG = 20.0;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Optional<String> eventType() {
    return Optional.of(ShipmentEventType.NAME);
  }

  @Override
  public Set<String> sinks() {
    return Set.of(SINK);
  }

  @Override
  public void handle(Event event, WorkflowContext context) {
    double kg = (Double) event.get("weightKg");
    if (kg < HEAVY_KG) {
      return;
    }
    // The payload is plain JSON written by hand: a plugin brings no libraries Reprise does not provide.
    String body = String.format(java.util.Locale.ROOT,
        "{\"eventId\":\"%s\",\"carrier\":\"%s\",\"region\":\"%s\",\"weightKg\":%.3f,\"shippedAt\":\"%s\"}",
        event.id(), event.string("carrier"), event.string("region"), kg, event.eventTime());
    context.perform(new Effect(SINK, event.id().asKey(), "alert: " + kg + " kg parcel " + event.id(), body));
  }
}
