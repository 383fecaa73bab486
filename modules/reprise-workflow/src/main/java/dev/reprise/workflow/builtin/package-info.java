/**
 * The workflows Reprise ships, used by the demo and the tests: {@link
 * dev.reprise.workflow.builtin.NotifyWorkflow} (a webhook per submission, an effect) and {@link
 * dev.reprise.workflow.builtin.FormDailyStatsWorkflow} (a view rebuilt by replay).
 */
package dev.reprise.workflow.builtin;
