/**
 * Writing workflows that see every submission event once, live or replayed: {@link
 * dev.reprise.workflow.Workflow}, its {@link dev.reprise.workflow.WorkflowContext} and effects, and
 * the {@link dev.reprise.workflow.WorkflowRuntime} that runs one on Kafka Streams.
 */
package dev.reprise.workflow;
