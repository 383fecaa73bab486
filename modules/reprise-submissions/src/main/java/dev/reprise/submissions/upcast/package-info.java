/**
 * The submissions' upcasters: pure functions that turn a submission written with an old schema into
 * the same submission in the next schema, one version step per class ({@link
 * dev.reprise.spi.upcast.Upcaster}), composed by {@link dev.reprise.submissions.SubmissionEventType#newChain()}.
 */
package dev.reprise.submissions.upcast;
