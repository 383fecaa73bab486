/** The status store and topic creation shared by Reprise's own modules; not an API. */
package dev.reprise.protocol.internal;
