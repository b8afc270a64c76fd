package org.imprint.attacks.reconstruction;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.imprint.kernels.Blas;
import org.imprint.models.Mlp;
import org.imprint.tensor.Rng;

/**
 * The built-in replacement for the authors' external sweep service: {@code runs} attack runs with
 * configurations drawn from a {@link SearchSpace} by a seeded generator (run k always gets the same
 * configuration for the same seed), executed {@code parallel} at a time (each on its own copy of the victim,
 * with single-threaded BLAS when more than one runs at once), hopeless runs abandoned early by
 * {@link KktAttack}. The caller pools and ranks the candidates.
 */
public final class RandomSearch {
    /** Receives each run's progress and its end; called from the worker threads. */
    public interface Listener {
        void onStep(int run, KktAttack.Step step);

        void onRunDone(int run, KktAttack.Result result);
    }

    private RandomSearch() {}

    /** The configurations of the runs, in run order. */
    public static List<AttackConfig> configurations(SearchSpace space, AttackConfig base, int runs, long seed) {
        Rng rng = new Rng(seed);
        List<AttackConfig> out = new ArrayList<>();
        for (int k = 0; k < runs; k++) out.add(space.sample(base, rng));
        return out;
    }

    /**
     * Runs every configuration; {@code victimCopy} must return an independent copy of the victim per call
     * (runs execute concurrently). Results come back in run order.
     */
    public static List<KktAttack.Result> run(List<AttackConfig> configs, Supplier<Mlp> victimCopy, int numClasses,
                                             int abortAt, double abortResidual, int parallel, int logEvery, Listener listener) {
        int threads = Math.max(1, Math.min(parallel, configs.size()));
        int blasBefore = Blas.threads();
        if (threads > 1) Blas.setThreads(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "attack-run");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<KktAttack.Result>> futures = new ArrayList<>();
            for (int k = 0; k < configs.size(); k++) {
                int run = k;
                futures.add(pool.submit(() -> {
                    KktAttack attack = new KktAttack(victimCopy.get(), numClasses, abortAt, abortResidual);
                    KktAttack.Result r = attack.run(configs.get(run), logEvery, step -> listener.onStep(run, step));
                    listener.onRunDone(run, r);
                    return r;
                }));
            }
            List<KktAttack.Result> results = new ArrayList<>();
            for (Future<KktAttack.Result> f : futures) results.add(f.get());
            return results;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) throw re;
            throw new IllegalStateException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            pool.shutdownNow();
            Blas.setThreads(blasBefore);
        }
    }
}
