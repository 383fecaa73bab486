/** Upcasting one schema version to the next: the steps a plugin writes, the chain Reprise applies. */
package dev.reprise.spi.upcast;
