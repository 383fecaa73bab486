/**
 * Upcasting: pure functions that turn a submission written with an old schema into the same
 * submission in a newer schema, one version step per class, composed by {@link
 * dev.reprise.submissions.upcast.UpcasterChain}.
 */
package dev.reprise.submissions.upcast;
