/**
 * Testing a plugin's upcasters the way Reprise tests its own: golden fixtures per version hop,
 * written in the frozen writer schema ({@link dev.reprise.spi.testkit.UpcastFixtures}).
 */
package dev.reprise.spi.testkit;
