/**
 * The coordinator's implementation: per-record replay, backfill runs, the status store. Not API;
 * it changes without notice.
 */
package dev.reprise.coordinator.internal;
