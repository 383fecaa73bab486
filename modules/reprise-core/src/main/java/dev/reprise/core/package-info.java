/** The exception root and the small shared types every Reprise module uses. */
package dev.reprise.core;
