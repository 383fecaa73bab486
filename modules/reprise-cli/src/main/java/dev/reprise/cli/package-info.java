/** The {@code reprise} command line. */
package dev.reprise.cli;
