package dev.migrator.transfer;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Worker pools of the engine. */
final class Workers {
    private Workers() {
    }

    /** {@code n} daemon threads named {@code name}, so an interrupted CLI can exit without joining them. */
    static ExecutorService daemonPool(int n, String name) {
        return Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }
}
