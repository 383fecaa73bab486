/**
 * The workflows Reprise ships, used by the demo and the tests: {@link
 * dev.reprise.submissions.workflow.NotifyWorkflow} (a webhook per submission, an effect) and {@link
 * dev.reprise.submissions.workflow.FormDailyStatsWorkflow} (a view rebuilt by replay).
 */
package dev.reprise.submissions.workflow;
