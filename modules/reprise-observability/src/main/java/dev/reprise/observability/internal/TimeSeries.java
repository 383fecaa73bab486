package dev.reprise.observability.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The last {@code capacity} samples of a few values over time, for the dashboard's charts: a
 * page opened in the middle of a backfill sees its history, not only what happens next.
 * Thread-safe; a missing value is {@code NaN} (drawn as a gap, not as zero).
 */
public final class TimeSeries {

  private final int capacity;
  private final Deque<double[]> points = new ArrayDeque<>();

  public TimeSeries(int capacity) {
    this.capacity = capacity;
  }

  /** Adds a sample at {@code epochMillis}: the values in a fixed order the caller knows. */
  public synchronized void add(long epochMillis, double... values) {
    double[] point = new double[values.length + 1];
    point[0] = epochMillis;
    System.arraycopy(values, 0, point, 1, values.length);
    points.addLast(point);
    while (points.size() > capacity) {
      points.removeFirst();
    }
  }

  /** Column {@code index} (0 = time in epoch millis), oldest first; NaN becomes null for JSON. */
  public synchronized List<Double> column(int index) {
    List<Double> column = new ArrayList<>(points.size());
    for (double[] point : points) {
      double value = index < point.length ? point[index] : Double.NaN;
      column.add(Double.isNaN(value) ? null : value);
    }
    return column;
  }

  public synchronized int size() {
    return points.size();
  }
}
