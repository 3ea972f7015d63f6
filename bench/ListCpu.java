import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Lists one store PASSES times in one JVM and prints, per pass, the objects, the wall time and the CPU time of the
 * listing thread itself (what the client spends; the server and the JIT threads are not counted). Run as a source file:
 * {@code java -cp migrator.jar bench/ListCpu.java URI PASSES} (bench/list-cpu.sh does, for both S3 request paths).
 */
public class ListCpu {
    public static void main(String[] args) throws Exception {
        String uri = args[0];
        int passes = Integer.parseInt(args[1]);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (ObjectStore store = Stores.openAdapter(uri, StoreOptions.DEFAULTS)) {
            for (int pass = 0; pass < passes; pass++) {
                long cpu = threads.getCurrentThreadCpuTime();
                long wall = System.nanoTime();
                long objects;
                try (var listed = store.list("")) {
                    objects = listed.count();
                }
                System.out.printf("%d\t%d\t%.1f\t%.1f%n", pass, objects, (System.nanoTime() - wall) / 1e6,
                        (threads.getCurrentThreadCpuTime() - cpu) / 1e6);
            }
        }
    }
}
