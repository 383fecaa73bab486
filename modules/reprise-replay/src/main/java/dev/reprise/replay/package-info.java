/** The one replay pipeline for any event type: decode, upcast, filter, encode; dead-letter or filter. */
package dev.reprise.replay;
