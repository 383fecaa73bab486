/**
 * The control plane's contract: what a requester, a coordinator, a workflow runtime, the verifier
 * and the dashboard agree on, and nothing of how any of them works. Requests ({@link
 * dev.reprise.protocol.BackfillRequest}), commands, statuses and their states, the codecs of their
 * Avro schemas ({@code schemas/control}), {@link dev.reprise.protocol.BackfillClient} to publish
 * and follow them, the handover point of a workflow ({@link dev.reprise.protocol.LivePositions}),
 * and every topic and header name ({@link dev.reprise.protocol.ControlTopics}, {@link
 * dev.reprise.protocol.ReplayHeaders}).
 *
 * <pre>{@code
 * try (var client = BackfillClient.create(Map.of("bootstrap.servers", "localhost:9092"), registry)) {
 *   client.submit(BackfillRequest.handover("onboard-notify", "submissions", "notify", null,
 *       EffectsPolicy.SUPPRESS, Optional.of("alice")));
 * }
 * }</pre>
 */
package dev.reprise.protocol;
