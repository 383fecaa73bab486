/** The workflow runtime's implementation: the Kafka Streams processor and codecs. Not API. */
package dev.reprise.workflow.internal;
