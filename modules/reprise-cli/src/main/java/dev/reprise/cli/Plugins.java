package dev.reprise.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * A team's plugin jars ({@code --plugin PATH}, repeatable, and {@code REPRISE_PLUGINS}, a
 * path-separator list for compose files and containers): event types and workflows that {@link
 * java.util.ServiceLoader} then finds, as it finds the built-in ones.
 *
 * <p>Why the thread's context class loader: the engine finds plugins with {@code
 * ServiceLoader.load(type, contextClassLoader)}, and every thread a command starts (coordinator
 * runs, Kafka Streams threads) inherits it, so one loader set around the command reaches them all.
 * It delegates to Reprise's own loader first: a plugin compiles against {@code reprise-spi} and
 * {@code reprise-workflow-api} and must not bring its own copies (a jar that does is still read,
 * but its copies are never used).
 */
final class Plugins {

  /** The environment variable with more plugin paths. */
  static final String ENVIRONMENT = "REPRISE_PLUGINS";

  private Plugins() {}

  /** The plugin paths of the environment, if any. */
  static List<Path> fromEnvironment(String value) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    return Arrays.stream(value.split(java.io.File.pathSeparator)).filter(p -> !p.isBlank()).map(Path::of).toList();
  }

  /**
   * The jars of {@code paths}: a jar as it is, a directory as the jars in it (not below).
   *
   * @throws IllegalArgumentException naming a path that does not exist, is not a jar, or is a
   *     directory without jars
   */
  static List<Path> jars(List<Path> paths) {
    List<Path> jars = new ArrayList<>();
    for (Path path : paths) {
      if (Files.isDirectory(path)) {
        List<Path> inside;
        try (Stream<Path> listing = Files.list(path)) {
          inside = listing.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
          throw new UncheckedIOException("cannot list plugin directory " + path, e);
        }
        if (inside.isEmpty()) {
          throw new IllegalArgumentException("--plugin " + path + ": the directory holds no .jar");
        }
        jars.addAll(inside);
      } else if (!Files.isRegularFile(path)) {
        throw new IllegalArgumentException("--plugin " + path + ": no such file or directory");
      } else if (!path.getFileName().toString().endsWith(".jar")) {
        throw new IllegalArgumentException("--plugin " + path + ": not a .jar (give a jar or a directory of jars)");
      } else {
        jars.add(path);
      }
    }
    return jars;
  }

  /** A loader of {@code jars} whose parent is {@code parent}. */
  static URLClassLoader loader(List<Path> jars, ClassLoader parent) {
    URL[] urls = jars.stream().map(jar -> {
      try {
        return jar.toAbsolutePath().toUri().toURL();
      } catch (MalformedURLException e) {
        throw new IllegalArgumentException("--plugin " + jar + ": " + e.getMessage(), e);
      }
    }).toArray(URL[]::new);
    return new URLClassLoader("reprise-plugins", urls, parent);
  }
}
