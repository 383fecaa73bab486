/** What an event-type plugin implements and compiles against: {@link dev.reprise.spi.EventType}. */
package dev.reprise.spi;
