/**
 * The replay coordinator's public model: what a backfill request is ({@link
 * dev.reprise.protocol.BackfillRequest}), how it is validated ({@link
 * dev.reprise.coordinator.BackfillRequestValidator}) and the states a backfill goes through
 * ({@link dev.reprise.protocol.BackfillState}).
 */
package dev.reprise.coordinator;
