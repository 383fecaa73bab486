package dev.reprise.cli;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The heap this JVM needed: the largest live set seen right after a garbage collection (what a
 * process really retains), and the peak used heap including garbage not yet collected.
 */
final class HeapWatcher {

  private final AtomicLong peakLiveBytes = new AtomicLong();
  private final AtomicLong collections = new AtomicLong();

  HeapWatcher() {
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener((notification, handback) -> {
          if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
            return;
          }
          var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
          long live = 0;
          for (Map.Entry<String, MemoryUsage> pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (isHeap(pool.getKey())) {
              live += pool.getValue().getUsed();
            }
          }
          collections.incrementAndGet();
          peakLiveBytes.accumulateAndGet(live, Math::max);
        }, null, null);
      }
    }
  }

  private static boolean isHeap(String poolName) {
    return ManagementFactory.getMemoryPoolMXBeans().stream()
        .anyMatch(pool -> pool.getName().equals(poolName) && pool.getType() == MemoryType.HEAP);
  }

  /** A JSON object with the figures, for the last line of a benchmark's output. */
  String json() {
    long peakUsed = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peakUsed += pool.getPeakUsage().getUsed();
      }
    }
    return String.format(java.util.Locale.ROOT,
        "{\"peakLiveHeapMb\": %.1f, \"peakUsedHeapMb\": %.1f, \"maxHeapMb\": %.1f, \"gcCount\": %d}",
        peakLiveBytes.get() / 1048576.0, peakUsed / 1048576.0,
        Runtime.getRuntime().maxMemory() / 1048576.0, collections.get());
  }
}
