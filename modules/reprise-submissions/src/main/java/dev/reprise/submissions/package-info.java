/**
 * The form-submission events Reprise replays: their versioned Avro schemas ({@link
 * dev.reprise.submissions.SubmissionSchemas}) and the identity of a submission event.
 */
package dev.reprise.submissions;
