/**
 * Adaptive backpressure: the {@link dev.reprise.backpressure.ThrottleController} that sets a
 * backfill's publish rate from downstream signals ({@link dev.reprise.backpressure.ThrottleSignals}).
 */
package dev.reprise.backpressure;
